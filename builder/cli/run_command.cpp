// `cbuild run`: runs a command in an image (or a rootfs directory) under the
// sandbox, with docker run's flags.
#include "builder/cli/cli.h"

#include "builder/sandbox/image_process.h"
#include "builder/sandbox/sandbox.h"
#include "builder/sandbox/scratch_dir.h"
#include "builder/store_prune.h"

#include "core/error.h"
#include "core/file_lock.h"
#include "core/unique_fd.h"
#include "core/layer_apply.h"
#include "core/temp_dir.h"
#include "registry/image_store.h"

#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

namespace builder::cli {
namespace {

namespace sb = builder::sandbox;

struct RunFlags {
  bool remove = false;
  bool interactive = false;
  bool tty = false;
  std::string entrypoint;
  bool entrypoint_set = false;
  std::string user;
  std::vector<std::string> env;
  std::string workdir;
  std::string hostname;
  std::string network = "host";
  std::vector<std::string> cap_add;
  std::vector<std::string> cap_drop;
  bool privileged = false;
  std::vector<std::string> security_opts;
  std::string memory;
  double cpus = 0;
  std::int64_t cpu_period = 0;
  std::int64_t cpu_quota = 0;
  std::int64_t pids_limit = 0;
  std::vector<std::string> volumes;
  std::vector<std::string> tmpfs;
  std::string rootfs;
  bool print_spec = false;
  std::vector<std::string> args; ///< IMAGE [CMD...], or CMD... with --rootfs
};

void add_flags(CLI::App* cmd, RunFlags& f) {
  cmd->add_flag("--rm", f.remove, "Discard the container's changes on exit (always, for now)");
  cmd->add_flag("-i,--interactive", f.interactive, "Keep stdin open");
  cmd->add_flag("-t,--tty", f.tty, "Give the command a pseudo-terminal");
  cmd->add_option("--entrypoint", f.entrypoint, "Replace the image's ENTRYPOINT");
  cmd->add_option("-u,--user", f.user, "user[:group], by name or id, from the rootfs");
  cmd->add_option("-e,--env", f.env, "Set KEY=value (or pass KEY from this environment)")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("-w,--workdir", f.workdir, "Working directory inside (created if missing)");
  cmd->add_option("--hostname", f.hostname, "Host name inside");
  cmd->add_option("--network", f.network, "host (default) or none")
      ->check(CLI::IsMember({"host", "none"}));
  cmd->add_option("--cap-add", f.cap_add, "Add a capability (or ALL)")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--cap-drop", f.cap_drop, "Drop a capability (or ALL)")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_flag("--privileged", f.privileged,
                "All capabilities, no seccomp, no masked paths, writable /sys");
  cmd->add_option("--security-opt", f.security_opts,
                  "seccomp=PROFILE.json | seccomp=unconfined | no-new-privileges")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("-m,--memory", f.memory, "Memory limit (e.g. 256m); swap is not allowed");
  cmd->add_option("--cpus", f.cpus, "Number of CPUs (quota = cpus x period)");
  cmd->add_option("--cpu-period", f.cpu_period, "CFS period in microseconds");
  cmd->add_option("--cpu-quota", f.cpu_quota, "CFS quota in microseconds");
  cmd->add_option("--pids-limit", f.pids_limit, "Maximum number of processes");
  cmd->add_option("-v,--volume", f.volumes, "Bind mount HOST:CONTAINER[:ro]")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--tmpfs", f.tmpfs, "Mount a tmpfs at CONTAINER[:options]")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--rootfs", f.rootfs,
                  "Run in this root filesystem directory instead of an image");
  cmd->add_flag("--print-spec", f.print_spec, "Print the sandbox spec as JSON and exit");
  cmd->add_option("args", f.args, "IMAGE [COMMAND [ARG...]]");
  cmd->positionals_at_end(); // everything after IMAGE belongs to the command
}

void apply_security_opts(const RunFlags& f, sb::SandboxSpec& spec) {
  for (const auto& opt : f.security_opts) {
    if (opt == "seccomp=unconfined" || opt == "seccomp:unconfined") {
      spec.seccomp.mode = sb::SeccompSetting::Mode::unconfined;
    } else if (opt.rfind("seccomp=", 0) == 0 || opt.rfind("seccomp:", 0) == 0) {
      spec.seccomp.mode = sb::SeccompSetting::Mode::profile;
      spec.seccomp.profile_file = opt.substr(8);
      spec.seccomp.profile = sb::load_seccomp_profile(spec.seccomp.profile_file);
    } else if (opt == "no-new-privileges" || opt == "no-new-privileges=true") {
      spec.no_new_privileges = true;
    } else {
      throw core::InputError("run: unsupported --security-opt '" + opt + "'");
    }
  }
}

void apply_limits(const RunFlags& f, sb::SandboxSpec& spec) {
  if (!f.memory.empty()) {
    spec.limits.memory_bytes = sb::parse_memory_size(f.memory);
    if (!spec.limits.memory_bytes || *spec.limits.memory_bytes < 6 * 1024 * 1024) {
      throw core::InputError("run: invalid --memory '" + f.memory + "' (minimum 6m)");
    }
  }
  if (f.cpu_period > 0) {
    spec.limits.cpu_period_us = f.cpu_period;
  }
  if (f.cpu_quota > 0) {
    spec.limits.cpu_quota_us = f.cpu_quota;
  }
  if (f.cpus > 0) {
    std::int64_t period = spec.limits.cpu_period_us.value_or(100000);
    spec.limits.cpu_period_us = period;
    spec.limits.cpu_quota_us = static_cast<std::int64_t>(f.cpus * static_cast<double>(period));
  }
  if (f.pids_limit > 0) {
    spec.limits.pids_max = f.pids_limit;
  }
}

void apply_mounts(const RunFlags& f, sb::SandboxSpec& spec) {
  for (const auto& volume : f.volumes) {
    auto first = volume.find(':');
    if (first == std::string::npos || first == 0) {
      throw core::InputError("run: -v wants HOST:CONTAINER[:ro], got '" + volume + "'");
    }
    sb::MountSpec m;
    m.source = std::filesystem::absolute(volume.substr(0, first));
    std::string rest = volume.substr(first + 1);
    if (auto second = rest.find(':'); second != std::string::npos) {
      std::string mode = rest.substr(second + 1);
      if (mode != "ro" && mode != "rw") {
        throw core::InputError("run: -v mode must be ro or rw, got '" + mode + "'");
      }
      m.read_only = mode == "ro";
      rest.resize(second);
    }
    if (rest.empty() || rest.front() != '/') {
      throw core::InputError("run: -v target '" + rest + "' is not an absolute path");
    }
    if (!std::filesystem::exists(m.source)) {
      throw core::InputError("run: -v source '" + m.source.string() + "' does not exist");
    }
    m.target = rest;
    spec.mounts.push_back(m);
  }
  for (const auto& entry : f.tmpfs) {
    sb::MountSpec m;
    m.type = sb::MountType::tmpfs;
    m.target = entry.substr(0, entry.find(':'));
    if (entry.find(':') != std::string::npos) {
      m.options = entry.substr(entry.find(':') + 1);
    }
    spec.mounts.push_back(m);
  }
}

sb::SandboxSpec make_spec(const RunFlags& f, const sb::ProcessConfig& process) {
  sb::SandboxSpec spec = sb::default_spec();
  spec.argv = process.argv;
  spec.env = process.env;
  spec.cwd = process.cwd;
  spec.user = process.user;
  spec.tty = f.tty;
  if (!f.hostname.empty()) {
    spec.hostname = f.hostname;
  }
  spec.network = f.network == "none" ? sb::NetworkMode::none : sb::NetworkMode::host;
  spec.privileged = f.privileged;
  spec.capabilities = sb::resolve_capabilities(f.cap_add, f.cap_drop, f.privileged);
  apply_security_opts(f, spec);
  apply_limits(f, spec);
  apply_mounts(f, spec);
  return spec;
}

// An image's root filesystem, unpacked once per manifest under
// <store>/run-cache/<manifest hex> and used read-only as the overlay's lower
// layer (a first run unpacks into a temporary name under
// <store>/run-cache/.unpack.lock, then renames).
struct ImageRootfs {
  sb::ImageRunConfig config;
  std::filesystem::path dir;
  core::UniqueFd in_use; ///< a shared flock on `dir`: prune leaves it alone
};

ImageRootfs unpack_image(const GlobalOptions& global, const std::string& name) {
  namespace fs = std::filesystem;
  registry::ImageStore store(store_root(global));
  auto manifest = store.find(name);
  if (!manifest) {
    throw core::InputError("run: no image '" + name + "' in the local store " +
                           store.root().string());
  }
  registry::ImageData data = store.read(*manifest);
  const core::RunConfig& rc = data.config.config;
  ImageRootfs out{{rc.entrypoint, rc.cmd, rc.env, rc.working_dir, rc.user},
                  store.root() / k_run_cache / std::string(manifest->digest.hex()),
                  {}};
  const fs::path cache = out.dir.parent_path();
  fs::create_directories(cache);
  // One unpack at a time per store: a second run of the same image waits and
  // then finds it published, and any `unpacking-*` seen under the lock was
  // left by a killed run and is removed. `cbuild prune` takes the same lock
  // and spares a directory a run holds (shared flock) until it exits.
  core::FileLock lock(cache / k_unpack_lock);
  auto hold = [&] {
    out.in_use = core::UniqueFd(::open(out.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!out.in_use || ::flock(out.in_use.get(), LOCK_SH) != 0) {
      core::throw_errno("run: lock", out.dir.string());
    }
  };
  if (fs::is_directory(out.dir)) {
    hold();
    return out;
  }
  std::error_code ec;
  for (fs::directory_iterator it(cache, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename().string().starts_with("unpacking-")) {
      sb::remove_tree(it->path());
    }
  }
  core::TempDir unpacking(cache, "unpacking-");
  for (const auto& layer : data.manifest.layers) {
    auto blob = store.blobs().open(layer.digest);
    core::apply_layer(*blob, unpacking.path(), "layer " + layer.digest.str());
  }
  fs::rename(unpacking.path(), out.dir, ec);
  if (!ec) {
    unpacking.release(); // renamed: nothing left to remove
  } else if (!fs::is_directory(out.dir)) {
    core::throw_errno("run: publish", out.dir.string(), ec.value());
  }
  hold();
  return out;
}

int run(const GlobalOptions& global, const RunFlags& f) {
  sb::ImageRunConfig image;
  std::vector<std::string> cmd = f.args;
  std::filesystem::path rootfs_dir;
  core::UniqueFd image_in_use;
  if (f.rootfs.empty()) {
    if (f.args.empty()) {
      throw core::InputError("run: an IMAGE (or --rootfs DIR) is required");
    }
    ImageRootfs unpacked = unpack_image(global, f.args.front());
    image = unpacked.config;
    rootfs_dir = unpacked.dir;
    image_in_use = std::move(unpacked.in_use); // held until the run ends
    cmd.erase(cmd.begin());
  } else {
    if (!std::filesystem::is_directory(f.rootfs)) {
      throw core::InputError("run: --rootfs '" + f.rootfs + "' is not a directory");
    }
    image.cmd = {"/bin/sh"};
    rootfs_dir = std::filesystem::absolute(f.rootfs);
  }
  sb::RunOverrides overrides;
  if (f.entrypoint_set) {
    overrides.entrypoint = f.entrypoint;
  }
  overrides.cmd = cmd;
  overrides.env = f.env;
  if (!f.workdir.empty()) {
    overrides.working_dir = f.workdir;
  }
  if (!f.user.empty()) {
    overrides.user = f.user;
  }
  sb::SandboxSpec spec = make_spec(f, sb::resolve_process(image, overrides));

  // The container's writable layer: thrown away at exit (there is no
  // container store to keep it in yet, so --rm is implied). One left by a
  // SIGKILLed cbuild run is removed here.
  sb::remove_stale_scratch_dirs("cbuild-run-");
  auto scratch = std::make_unique<sb::ScratchDir>("cbuild-run-");
  std::filesystem::create_directory(scratch->path() / "upper");
  std::filesystem::create_directory(scratch->path() / "work");
  spec.rootfs.lower_dirs = {rootfs_dir};
  spec.rootfs.upper_dir = scratch->path() / "upper";
  spec.rootfs.work_dir = scratch->path() / "work";
  if (f.print_spec) {
    std::cout << sb::to_json(spec) << "\n";
    return 0;
  }
  sb::SandboxIo io;
  io.interactive = f.interactive;
  if (!f.interactive && !f.tty) {
    io.in_fd = -1;
  }
  sb::SandboxResult result;
  if (io.in_fd < 0) {
    FILE* null = std::fopen("/dev/null", "re");
    io.in_fd = null ? fileno(null) : 0;
    result = sb::run_sandbox(spec, io);
    if (null) {
      std::fclose(null);
    }
  } else {
    result = sb::run_sandbox(spec, io);
  }
  if (result.out_of_memory) {
    std::fprintf(stderr, "cbuild: %s\n", result.describe().c_str());
  }
  // The kernel may still be tearing down the sandbox's namespaces, which hold
  // the overlay's dirs: a helper removes them once it is done, so that cbuild
  // returns as soon as the command's processes are gone.
  sb::finish_sandboxes_in_background(std::move(scratch));
  return result.status_code();
}

} // namespace

void add_run_command(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("run", "Run a command in an image under isolation");
  auto flags = std::make_shared<RunFlags>();
  add_flags(cmd, *flags);
  cmd->callback([&global, &exit_code, flags, cmd] {
    flags->entrypoint_set = cmd->count("--entrypoint") > 0;
    exit_code = run(global, *flags);
  });
}

} // namespace builder::cli
