#include "builder/sandbox/setup_plan.h"

#include "core/error.h"

#include <sys/mount.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <set>

namespace builder::sandbox {
namespace fs = std::filesystem;
namespace {

// runc's defaults: paths of /proc and /sys that leak host information or
// let a process poke the kernel.
constexpr const char* k_masked_paths[] = {"/proc/acpi",
                                          "/proc/asound",
                                          "/proc/kcore",
                                          "/proc/keys",
                                          "/proc/latency_stats",
                                          "/proc/timer_list",
                                          "/proc/timer_stats",
                                          "/proc/sched_debug",
                                          "/proc/scsi",
                                          "/sys/firmware",
                                          "/sys/devices/virtual/powercap"};
constexpr const char* k_read_only_paths[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                             "/proc/sysrq-trigger"};
constexpr const char* k_devices[] = {"null", "zero", "full", "random", "urandom", "tty"};
// Left out of --privileged's host devices, as Docker does (plus what every
// sandbox has anyway).
constexpr const char* k_skipped_dev_dirs[] = {"pts", "shm", "mqueue", "fd", ".lxc", ".udev"};
constexpr const char* k_skipped_devices[] = {"console", "ptmx"};

bool listed(const std::string& name, const auto& list) {
  return std::find(std::begin(list), std::end(list), name) != std::end(list);
}

void collect_devices(const fs::path& root, const fs::path& relative, std::vector<HostDevice>& out) {
  std::error_code ec;
  for (fs::directory_iterator it(root / relative, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    fs::path rel = relative / name;
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0) {
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      if (!(relative.empty() && listed(name, k_skipped_dev_dirs))) {
        collect_devices(root, rel, out);
      }
      continue;
    }
    bool top = relative.empty();
    if ((S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) &&
        !(top && (listed(name, k_devices) || listed(name, k_skipped_devices)))) {
      out.push_back({rel.string(), st.st_mode, st.st_rdev, st.st_uid, st.st_gid});
    }
  }
}

class Planner {
public:
  Planner(const SandboxSpec& spec, const SetupContext& context) : m_spec(spec), m_ctx(context) {}

  std::vector<SetupOp> run() {
    plan_namespaces();
    plan_root();
    plan_kernel_filesystems();
    plan_host_clones();
    add({.kind = OpKind::pivot_root,
         .target = m_ctx.merged_dir.string(),
         .description = "pivot_root into " + m_ctx.merged_dir.string()});
    plan_proc_dev_sys();
    plan_user_mounts();
    plan_etc_files();
    plan_hardening();
    if (m_spec.network == NetworkMode::none) {
      add({.kind = OpKind::loopback_up, .description = "bring up lo"});
    }
    make_dirs(m_spec.cwd);
    return std::move(m_ops);
  }

private:
  void add(SetupOp op) { m_ops.push_back(std::move(op)); }

  int clone(const std::string& source, bool recursive, bool read_only) {
    int slot = m_slots++;
    add({.kind = OpKind::clone_tree,
         .source = source,
         .slot = slot,
         .recursive = recursive,
         .read_only = read_only,
         .description = "bind " + source});
    return slot;
  }

  void mount(std::string fstype, std::string target, unsigned long flags, std::string data,
             std::string source = {}) {
    std::string description = "mount " + fstype + " on " + target;
    add({.kind = OpKind::mount,
         .source = source.empty() ? fstype : source,
         .target = target,
         .fstype = fstype,
         .data = data,
         .flags = flags,
         .description = description});
  }

  void make_dirs(const std::string& path) {
    fs::path prefix = "/";
    for (const auto& part : fs::path(path).relative_path()) {
      prefix /= part;
      add({.kind = OpKind::make_dir,
           .target = prefix.string(),
           .description = "create directory " + prefix.string()});
    }
  }

  void plan_namespaces() {
    // With a cgroup, the command unshares once it joined it (run_command_setup):
    // moving into a cgroup outside one's cgroup namespace is not allowed on v2.
    if (m_spec.namespaces.cgroup && m_ctx.cgroup == nullptr) {
      add({.kind = OpKind::unshare_cgroup, .description = "unshare the cgroup namespace"});
    }
    if (m_spec.namespaces.uts) {
      add({.kind = OpKind::set_hostname,
           .source = m_spec.hostname,
           .description = "set hostname " + m_spec.hostname});
    }
    add({.kind = OpKind::make_private, .target = "/", .description = "make / private"});
  }

  /// The overlay root. Kernels with `lowerdir+` (6.8+) take any number of
  /// layers through fsconfig; older ones get mount(2)'s option string, which
  /// must fit one page (about 40 layers).
  void plan_overlay(const Rootfs& root, const std::string& merged) {
    SetupOp op{.kind = OpKind::mount_overlay,
               .source = "overlay",
               .target = merged,
               .fstype = "overlay",
               .flags = (root.read_only || root.upper_dir.empty())
                            ? static_cast<unsigned long>(MS_RDONLY)
                            : 0ul,
               .description = "mount overlay on " + merged};
    for (size_t start = 0; start <= m_ctx.overlay_lower.size();) {
      size_t colon = std::min(m_ctx.overlay_lower.find(':', start), m_ctx.overlay_lower.size());
      op.options.emplace_back("lowerdir+", m_ctx.overlay_lower.substr(start, colon - start));
      start = colon + 1;
    }
    std::string data = "lowerdir=" + m_ctx.overlay_lower;
    if (!root.upper_dir.empty()) {
      op.options.emplace_back("upperdir", root.upper_dir.string());
      op.options.emplace_back("workdir", root.work_dir.string());
      data += ",upperdir=" + root.upper_dir.string() + ",workdir=" + root.work_dir.string();
    }
    if (data.size() <= 4000) {
      op.data = data; // the mount(2) fallback; empty: too many layers for it
    }
    add(std::move(op));
  }

  void plan_root() {
    const Rootfs& root = m_spec.rootfs;
    std::string merged = m_ctx.merged_dir.string();
    if (!root.lower_dirs.empty()) {
      plan_overlay(root, merged);
    } else {
      add({.kind = OpKind::mount,
           .source = root.directory.string(),
           .target = merged,
           .flags = MS_BIND | MS_REC,
           .description = "bind rootfs " + root.directory.string()});
    }
  }

  // Host paths must be opened before pivot_root hides the host; the clones
  // are attached afterwards, when targets resolve inside the new root only.
  void plan_host_clones() {
    for (const char* dev : k_devices) {
      m_dev_slots.push_back(clone("/dev/" + std::string(dev), false, false));
    }
    if (m_spec.namespaces.user) {
      for (const auto& dev : m_ctx.host_devices) {
        m_host_device_slots.push_back(clone("/dev/" + dev.path, false, false));
      }
    }
    if (m_spec.namespaces.user && m_spec.network == NetworkMode::host) {
      m_sys_slot = clone("/sys", true, !m_spec.privileged);
    }
    for (const auto& m : m_spec.mounts) {
      m_mount_slots.push_back(
          m.type == MountType::bind ? clone(m.source.string(), true, m.read_only) : -1);
    }
    if (m_ctx.bind_etc_files) {
      for (const char* name : {"hosts", "hostname", "resolv.conf"}) {
        m_etc_slots.push_back(clone((m_ctx.etc_dir / name).string(), false, false));
      }
    }
  }

  // proc and sysfs are mounted before pivot_root: in a user namespace the
  // kernel only allows a new instance while the host's is visible in the
  // mount namespace (mount_too_revealing). The targets are directories of
  // the mountpoint layer (or checked not to be symlinks), so the paths cannot
  // lead outside the new root.
  void plan_kernel_filesystems() {
    const std::string root = m_ctx.merged_dir.string();
    add({.kind = OpKind::mount,
         .source = "proc",
         .target = root + "/proc",
         .fstype = "proc",
         .flags = MS_NOSUID | MS_NODEV | MS_NOEXEC,
         .description = "mount proc on /proc"});
    if (!(m_spec.namespaces.user && m_spec.network == NetworkMode::host)) {
      unsigned long ro = m_spec.privileged ? 0 : MS_RDONLY;
      add({.kind = OpKind::mount,
           .source = "sysfs",
           .target = root + "/sys",
           .fstype = "sysfs",
           .flags = ro | MS_NOSUID | MS_NODEV | MS_NOEXEC,
           .description = "mount sysfs on /sys"});
    }
  }

  void plan_proc_dev_sys() {
    mount("tmpfs", "/dev", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
    for (std::size_t i = 0; i < std::size(k_devices); ++i) {
      std::string target = "/dev/" + std::string(k_devices[i]);
      add({.kind = OpKind::make_file, .target = target, .description = "create " + target});
      add({.kind = OpKind::attach_tree,
           .target = target,
           .slot = m_dev_slots[i],
           .description = "bind /dev/" + std::string(k_devices[i]) + " on " + target});
    }
    add({.kind = OpKind::make_dir, .target = "/dev/pts", .description = "create /dev/pts"});
    std::string pts = "newinstance,ptmxmode=0666,mode=0620";
    if (!m_spec.namespaces.user) {
      pts += ",gid=5";
    }
    mount("devpts", "/dev/pts", MS_NOSUID | MS_NOEXEC, pts);
    add({.kind = OpKind::make_dir, .target = "/dev/shm", .description = "create /dev/shm"});
    mount("tmpfs", "/dev/shm", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k");
    for (auto [target, link] : {std::pair{"pts/ptmx", "/dev/ptmx"},
                                {"/proc/self/fd", "/dev/fd"},
                                {"/proc/self/fd/0", "/dev/stdin"},
                                {"/proc/self/fd/1", "/dev/stdout"},
                                {"/proc/self/fd/2", "/dev/stderr"}}) {
      add({.kind = OpKind::symlink,
           .source = target,
           .target = link,
           .description = "create symlink " + std::string(link)});
    }
    plan_host_devices();
    plan_sys();
  }

  // --privileged: the host's devices, created with mknod as runc does (a
  // user namespace may not mknod: there they are bind mounts of the host's).
  void plan_host_devices() {
    std::set<std::string> made_dirs;
    for (std::size_t i = 0; i < m_ctx.host_devices.size(); ++i) {
      const HostDevice& dev = m_ctx.host_devices[i];
      std::string target = "/dev/" + dev.path;
      fs::path dir = "/dev";
      for (const auto& part : fs::path(dev.path).parent_path()) {
        dir /= part;
        if (made_dirs.insert(dir.string()).second) {
          add({.kind = OpKind::make_dir,
               .target = dir.string(),
               .description = "create " + dir.string()});
        }
      }
      if (m_host_device_slots.empty()) {
        add({.kind = OpKind::make_device,
             .target = target,
             .mode = dev.mode,
             .device = dev.device,
             .uid = dev.uid,
             .gid = dev.gid,
             .description = "create device " + target});
        continue;
      }
      add({.kind = OpKind::make_file, .target = target, .description = "create " + target});
      add({.kind = OpKind::attach_tree,
           .target = target,
           .slot = m_host_device_slots[i],
           .description = "bind " + target + " on " + target});
    }
  }

  void plan_sys() {
    if (m_sys_slot >= 0) {
      // sysfs may only be mounted by the owner of the network namespace.
      add({.kind = OpKind::attach_tree,
           .target = "/sys",
           .slot = m_sys_slot,
           .description = "bind /sys on /sys"});
    }
  }

public:
  // Run by the command's process once it joined its cgroup: a cgroup
  // namespace rooted there, and the cgroupfs mounted from inside it, so that
  // /sys/fs/cgroup shows the sandbox's own cgroup and nothing above it.
  std::vector<SetupOp> run_command_setup() {
    if (m_ctx.cgroup == nullptr) {
      return {};
    }
    if (m_spec.namespaces.cgroup) {
      add({.kind = OpKind::unshare_cgroup, .description = "unshare the cgroup namespace"});
    }
    if (m_sys_slot < 0 && !m_spec.namespaces.user) {
      plan_cgroup_mounts();
    }
    return std::move(m_ops);
  }

private:
  void plan_cgroup_mounts() {
    unsigned long ro = m_spec.privileged ? 0 : MS_RDONLY;
    unsigned long flags = ro | MS_NOSUID | MS_NODEV | MS_NOEXEC;
    const auto& hierarchies = m_ctx.cgroup->hierarchies();
    if (hierarchies.size() == 1 && hierarchies[0].is_v2) {
      mount("cgroup2", "/sys/fs/cgroup", flags, "");
      return;
    }
    mount("tmpfs", "/sys/fs/cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755");
    for (const auto& h : hierarchies) {
      std::string target = "/sys/fs/cgroup/" + h.mount_point.filename().string();
      add({.kind = OpKind::make_dir, .target = target, .description = "create " + target});
      mount("cgroup", target, flags, h.controllers);
    }
    if (ro != 0) {
      add({.kind = OpKind::read_only,
           .target = "/sys/fs/cgroup",
           .description = "make /sys/fs/cgroup read-only"});
    }
  }

  void plan_user_mounts() {
    for (std::size_t i = 0; i < m_spec.mounts.size(); ++i) {
      const MountSpec& m = m_spec.mounts[i];
      std::error_code ec;
      bool is_dir = m.type == MountType::tmpfs || fs::is_directory(m.source, ec);
      if (is_dir) {
        make_dirs(m.target);
      } else {
        make_dirs(fs::path(m.target).parent_path().string());
        add({.kind = OpKind::make_file, .target = m.target, .description = "create " + m.target});
      }
      if (m.type == MountType::bind) {
        add({.kind = OpKind::attach_tree,
             .target = m.target,
             .slot = m_mount_slots[i],
             .description = "bind " + m.source.string() + " on " + m.target});
      } else {
        mount("tmpfs", m.target, MS_NOSUID | MS_NODEV | (m.read_only ? MS_RDONLY : 0),
              m.options.empty() ? "mode=1777" : m.options);
      }
    }
  }

  void plan_etc_files() {
    const char* names[] = {"hosts", "hostname", "resolv.conf"};
    for (std::size_t i = 0; i < m_etc_slots.size(); ++i) {
      std::string target = "/etc/" + std::string(names[i]);
      add({.kind = OpKind::attach_tree,
           .target = target,
           .slot = m_etc_slots[i],
           .description = "bind " + target});
    }
  }

  void plan_hardening() {
    if (!m_spec.privileged) {
      for (const char* path : k_masked_paths) {
        add({.kind = OpKind::mask,
             .target = path,
             .optional = true,
             .description = "mask " + std::string(path)});
      }
      for (const char* path : k_read_only_paths) {
        add({.kind = OpKind::read_only,
             .target = path,
             .optional = true,
             .description = "make " + std::string(path) + " read-only"});
      }
    }
    if (m_spec.rootfs.read_only && m_spec.rootfs.lower_dirs.empty()) {
      add({.kind = OpKind::remount_root_ro, .target = "/", .description = "make / read-only"});
    }
  }

  const SandboxSpec& m_spec;
  const SetupContext& m_ctx;
  std::vector<SetupOp> m_ops;
  int m_slots = 0;
  int m_sys_slot = -1;
  std::vector<int> m_dev_slots, m_mount_slots, m_etc_slots, m_host_device_slots;
};

const char* process_step_text(ProcessStep step) {
  switch (step) {
  case ProcessStep::wait_for_parent: return "wait for the parent";
  case ProcessStep::fork_command: return "fork the command";
  case ProcessStep::join_cgroup: return "join the cgroup";
  case ProcessStep::open_terminal: return "open a pseudo-terminal in /dev/pts";
  case ProcessStep::drop_bounding_set: return "drop capabilities from the bounding set";
  case ProcessStep::setsid: return "start a session";
  case ProcessStep::set_controlling_tty: return "set the controlling terminal";
  case ProcessStep::redirect_stdio: return "redirect stdin/stdout/stderr";
  case ProcessStep::set_groups: return "set supplementary groups";
  case ProcessStep::set_gid: return "set group id";
  case ProcessStep::set_uid: return "set user id";
  case ProcessStep::set_capabilities: return "set capabilities";
  case ProcessStep::no_new_privileges: return "set no_new_privs";
  case ProcessStep::load_seccomp: return "load the seccomp filter";
  case ProcessStep::change_directory: return "change to the working directory";
  case ProcessStep::execute: return "execute";
  }
  return "unknown step";
}

} // namespace

std::vector<HostDevice> list_host_devices(const fs::path& dev_dir) {
  std::vector<HostDevice> devices;
  collect_devices(dev_dir, {}, devices);
  std::sort(devices.begin(), devices.end(),
            [](const HostDevice& a, const HostDevice& b) { return a.path < b.path; });
  return devices;
}

std::vector<SetupOp> plan_setup(const SandboxSpec& spec, const SetupContext& context) {
  return Planner(spec, context).run();
}

std::vector<SetupOp> plan_command_setup(const SandboxSpec& spec, const SetupContext& context) {
  Planner planner(spec, context);
  if (spec.namespaces.user && spec.network == NetworkMode::host) {
    return {}; // /sys is the host's, bound read-only: no cgroupfs on top
  }
  return planner.run_command_setup();
}

std::string describe_step(const ChildPlan& plan, int step) {
  if (step >= 0 && static_cast<std::size_t>(step) < plan.ops.size()) {
    return plan.ops[static_cast<std::size_t>(step)].description;
  }
  auto command_step = static_cast<std::size_t>(step) - plan.ops.size();
  if (step >= 0 && command_step < plan.command_ops.size()) {
    return plan.command_ops[command_step].description;
  }
  std::string text = process_step_text(static_cast<ProcessStep>(step));
  if (static_cast<ProcessStep>(step) == ProcessStep::execute && !plan.argv_storage.empty()) {
    text += " " + plan.argv_storage[0];
  } else if (static_cast<ProcessStep>(step) == ProcessStep::change_directory) {
    text += " " + plan.cwd;
  }
  return text;
}

} // namespace builder::sandbox
