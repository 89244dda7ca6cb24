#pragma once

#include "builder/sandbox/capabilities.h"
#include "builder/sandbox/cgroups.h"
#include "builder/sandbox/sandbox_spec.h"
#include "builder/sandbox/user_db.h"

#include <linux/filter.h>
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace builder::sandbox {

/// One step of setting up the sandbox's file system and namespaces, as
/// bubblewrap's SetupOp: the parent computes the list, the child walks it.
enum class OpKind {
  unshare_cgroup,  ///< unshare(CLONE_NEWCGROUP) once the parent placed us in the cgroup
  set_hostname,    ///< sethostname(source)
  make_private,    ///< stop mount propagation back to the host
  mount,           ///< mount(source, target, fstype, flags, data)
  clone_tree,      ///< open_tree(source, CLONE) into slot, optionally read-only
  pivot_root,      ///< enter target as the new root; the old root is detached
  attach_tree,     ///< move_mount(slot -> target), target resolved in the new root
  make_dir,        ///< mkdir(target), EEXIST is fine
  make_file,       ///< create an empty file at target if nothing is there
  make_device,     ///< mknod(target, mode, device) owned by uid:gid (--privileged)
  symlink,         ///< symlink(source, target)
  read_only,       ///< bind target onto itself read-only (runc's readonly paths)
  mask,            ///< hide target: /dev/null over a file, read-only tmpfs over a dir
  remount_root_ro, ///< make / read-only
  loopback_up,     ///< bring `lo` up in a new network namespace
  mount_overlay,   ///< overlay on target via fsopen/fsconfig (`lowerdir+`, one layer per
                   ///< call: no option-length limit); falls back to mount(2) with `data`
};

struct SetupOp {
  OpKind kind = OpKind::mount;
  std::string source = {};
  std::string target = {};
  std::string fstype = {};
  std::string data = {};
  unsigned long flags = 0;
  int slot = -1;          ///< clone_tree / attach_tree: index into ChildPlan::tree_fds
  bool recursive = false; ///< clone_tree: the whole subtree
  bool read_only = false; ///< clone_tree: make the clone read-only
  bool optional = false;  ///< a missing target (ENOENT) skips the step
  mode_t mode = 0;        ///< make_device: file type and permissions
  dev_t device = 0;       ///< make_device: major/minor
  uid_t uid = 0;          ///< make_device: owner
  gid_t gid = 0;
  std::string description = {}; ///< "mount proc on /proc", for the error message
  /// mount_overlay: fsconfig string options in order ("lowerdir+", dir)…,
  /// ("upperdir", dir), ("workdir", dir).
  std::vector<std::pair<std::string, std::string>> options = {};
};

/// Steps after the file system is ready; their numbers travel over the error pipe.
enum class ProcessStep : int {
  wait_for_parent = 1000,
  fork_command,
  join_cgroup,
  open_terminal,
  drop_bounding_set,
  setsid,
  set_controlling_tty,
  redirect_stdio,
  set_groups,
  set_gid,
  set_uid,
  set_capabilities,
  no_new_privileges,
  load_seccomp,
  change_directory,
  execute,
};

/// Everything the child needs, computed by the parent so that the child only
/// reads memory and makes system calls (no allocation, no exceptions, no
/// libc lock: other threads may have held any of them at clone time).
struct ChildPlan {
  std::vector<SetupOp> ops;
  std::vector<int> tree_fds;        ///< filled by clone_tree in the child; sized by the parent
  std::vector<SetupOp> command_ops; ///< run by the command's process (cgroup namespace)
  std::vector<int> cgroup_fds;      ///< cgroup.procs files the command joins

  std::vector<std::string> argv_storage;
  std::vector<std::string> env_storage;
  std::vector<char*> argv; ///< null-terminated, points into argv_storage
  std::vector<char*> envp;
  std::vector<std::string> search_path; ///< PATH entries for a bare argv[0]
  std::string cwd;

  ResolvedUser user;
  bool set_groups = true; ///< false when setgroups is denied in a user namespace
  CapSet capabilities;
  int last_capability = 40;
  bool no_new_privileges = true;
  std::vector<sock_filter> seccomp; ///< empty = unconfined

  int stdio[3] = {0, 1, 2};     ///< descriptors that become 0, 1, 2
  int tty_fd = -1;              ///< pty slave, made the controlling terminal (set by the child)
  int console_socket = -1;      ///< with a tty: where the child sends the pty master
  bool wait_for_parent = false; ///< block on sync_fd until the parent wrote the id maps
  int sync_fd = -1;             ///< read end: the parent says "go"
  int error_fd = -1;            ///< write end, CLOEXEC: ChildMessage records
  std::vector<int> keep_fds;    ///< sorted: all other descriptors above 2 are closed first
};

/// What the child reports to the parent.
struct ChildMessage {
  enum Kind : int { failed = 1, exited = 2 };
  int kind = 0;
  int step = 0;   ///< index into ops, or a ProcessStep
  int error = 0;  ///< errno
  int status = 0; ///< wait status of the command (kind == exited)
};

/// A device node of the host's /dev, given to --privileged sandboxes as Docker does.
struct HostDevice {
  std::string path; ///< relative to /dev: "kvm", "net/tun"
  mode_t mode = 0;  ///< S_IFCHR or S_IFBLK plus permissions
  dev_t device = 0;
  uid_t uid = 0;
  gid_t gid = 0;
};

/// The character and block devices under `dev_dir` (recursively), except those
/// Docker leaves out (pts/, shm/, mqueue/, fd/, console) and those every
/// sandbox gets anyway (null, zero, full, random, urandom, tty, ptmx).
std::vector<HostDevice> list_host_devices(const std::filesystem::path& dev_dir = "/dev");

/// Inputs of plan_setup that the parent prepared on disk.
struct SetupContext {
  std::filesystem::path merged_dir;     ///< where the root is assembled
  std::filesystem::path etc_dir;        ///< holds hosts, hostname, resolv.conf
  std::string overlay_lower;            ///< lowerdir= value, including the mountpoint layer
  bool bind_etc_files = true;           ///< the rootfs has a real /etc directory
  const Cgroup* cgroup = nullptr;       ///< mounted read-only at /sys/fs/cgroup when set
  std::vector<HostDevice> host_devices; ///< --privileged: created in the sandbox's /dev
};

/// Turns the spec into the ordered list of setup steps.
std::vector<SetupOp> plan_setup(const SandboxSpec& spec, const SetupContext& context);

/// Steps the command's own process runs after joining its cgroup (PID 1
/// stays outside the cgroup, so that it never holds up its removal).
std::vector<SetupOp> plan_command_setup(const SandboxSpec& spec, const SetupContext& context);

/// "mount proc on /proc" for an op index (ops, then command_ops), or the text
/// of a ProcessStep.
std::string describe_step(const ChildPlan& plan, int step);

/// Closes every descriptor above 2 but those in `keep` (sorted ascending;
/// negative entries are ignored). Async-signal-safe: allocates nothing.
void close_descriptors_except(const int* keep, std::size_t count);

/// Runs in the child after clone(): applies the plan, forks the command,
/// then stays as PID 1 (reaps, forwards signals) and never returns.
[[noreturn]] void child_main(ChildPlan& plan);

} // namespace builder::sandbox
