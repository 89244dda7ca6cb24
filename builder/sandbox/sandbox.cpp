#include "builder/sandbox/sandbox.h"

#include "builder/sandbox/cgroups.h"
#include "builder/sandbox/id_map.h"
#include "builder/sandbox/run_dir.h"
#include "builder/sandbox/scratch_dir.h"
#include "builder/sandbox/setup_plan.h"
#include "builder/sandbox/teardown.h"
#include "builder/sandbox/terminal.h"
#include "builder/sandbox/user_db.h"

#include "core/error.h"
#include "core/scope_exit.h"
#include "core/unique_fd.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <sstream>

namespace builder::sandbox {
namespace {

struct Pipe {
  core::UniqueFd read;
  core::UniqueFd write;
};

Pipe make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    core::throw_errno("sandbox: create", "pipe");
  }
  return {core::UniqueFd(fds[0]), core::UniqueFd(fds[1])};
}

std::string env_value(const std::vector<std::string>& env, const std::string& key) {
  for (const auto& entry : env) {
    if (entry.rfind(key + "=", 0) == 0) {
      return entry.substr(key.size() + 1);
    }
  }
  return {};
}

void fill_process(ChildPlan& plan, const SandboxSpec& spec, const ResolvedUser& user) {
  if (spec.argv.empty()) {
    throw core::InputError("sandbox: no command to run");
  }
  plan.argv_storage = spec.argv;
  plan.env_storage = spec.env;
  if (env_value(plan.env_storage, "HOME").empty()) {
    plan.env_storage.push_back("HOME=" + user.home);
  }
  if (env_value(plan.env_storage, "HOSTNAME").empty()) {
    plan.env_storage.push_back("HOSTNAME=" + spec.hostname);
  }
  if (spec.tty && env_value(plan.env_storage, "TERM").empty()) {
    plan.env_storage.push_back("TERM=xterm");
  }
  for (auto& arg : plan.argv_storage) {
    plan.argv.push_back(arg.data());
  }
  plan.argv.push_back(nullptr);
  for (auto& entry : plan.env_storage) {
    plan.envp.push_back(entry.data());
  }
  plan.envp.push_back(nullptr);
  std::istringstream path(env_value(spec.env, "PATH"));
  for (std::string dir; std::getline(path, dir, ':');) {
    plan.search_path.push_back(dir.empty() ? "." : dir);
  }
  plan.cwd = spec.cwd.empty() ? "/" : spec.cwd;
  plan.user = user;
}

ResolvedUser lookup_user(const SandboxSpec& spec) {
  auto passwd = read_rootfs_file(spec.rootfs, "etc/passwd").value_or("");
  auto group = read_rootfs_file(spec.rootfs, "etc/group").value_or("");
  return resolve_user(spec.user, passwd, group);
}

std::vector<sock_filter> seccomp_program(const SandboxSpec& spec) {
  switch (spec.seccomp.mode) {
  case SeccompSetting::Mode::unconfined: return {};
  case SeccompSetting::Mode::profile:
    return compile_seccomp_cached(*spec.seccomp.profile, spec.capabilities);
  case SeccompSetting::Mode::docker_default:
    // Docker runs --privileged containers unconfined.
    if (spec.privileged) {
      return {};
    }
    return compile_seccomp_cached(default_seccomp_profile(), spec.capabilities);
  }
  return {};
}

int clone_flags(const SandboxSpec& spec) {
  int flags = CLONE_NEWNS;
  const Namespaces& ns = spec.namespaces;
  flags |= ns.pid ? CLONE_NEWPID : 0;
  flags |= ns.uts ? CLONE_NEWUTS : 0;
  flags |= ns.ipc ? CLONE_NEWIPC : 0;
  flags |= ns.user ? CLONE_NEWUSER : 0;
  flags |= spec.network == NetworkMode::none ? CLONE_NEWNET : 0;
  return flags;
}

std::string failure_message(const ChildPlan& plan, const ChildMessage& message) {
  std::string text =
      "sandbox: " + describe_step(plan, message.step) + ": " + core::errno_message(message.error);
  bool overlay = message.step >= 0 && static_cast<std::size_t>(message.step) < plan.ops.size() &&
                 plan.ops[static_cast<std::size_t>(message.step)].fstype == "overlay";
  if (overlay) {
    text += " (overlayfs cannot stack these directories here: put the upper and work dirs on "
            "ext4, xfs or tmpfs, or give a plain rootfs directory to use without overlay)";
  }
  return text;
}

// Signals cbuild forwards while the sandbox runs, received through a signalfd.
class ForwardedSignals {
public:
  ForwardedSignals() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH}) {
      sigaddset(&set, sig);
    }
    ::sigprocmask(SIG_BLOCK, &set, &m_old);
    m_fd.reset(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  }
  ~ForwardedSignals() { ::sigprocmask(SIG_SETMASK, &m_old, nullptr); }
  int fd() const { return m_fd.get(); }

private:
  sigset_t m_old{};
  core::UniqueFd m_fd;
};

// The sandboxes this process runs (the build engine runs one per thread): a
// signal cbuild receives goes to every one of them, whichever thread reads it.
struct RunningInits {
  std::mutex mutex;
  std::vector<pid_t> inits;
  int interrupts = 0; ///< SIGINT/SIGTERM received since the first of them started
};

RunningInits& running_inits() {
  static RunningInits running;
  return running;
}

// Registered from clone() until the wait status is known (then the pid may be
// reaped and reused, and must not be signalled any more).
class RunningInit {
public:
  explicit RunningInit(pid_t init) : m_init(init) {
    std::lock_guard lock(running_inits().mutex);
    running_inits().inits.push_back(init);
  }
  ~RunningInit() { release(); }
  RunningInit(const RunningInit&) = delete;
  RunningInit& operator=(const RunningInit&) = delete;

  void release() {
    if (m_init == 0) {
      return;
    }
    RunningInits& running = running_inits();
    std::lock_guard lock(running.mutex);
    std::erase(running.inits, m_init);
    if (running.inits.empty()) {
      running.interrupts = 0;
    }
    m_init = 0;
  }

private:
  pid_t m_init;
};

// A second SIGINT/SIGTERM kills the sandboxes.
void relay_signal(int sig) {
  RunningInits& running = running_inits();
  std::lock_guard lock(running.mutex);
  bool fatal = (sig == SIGINT || sig == SIGTERM) && ++running.interrupts > 1;
  for (pid_t init : running.inits) {
    ::kill(init, fatal ? SIGKILL : sig);
  }
}

struct Outcome {
  std::optional<ChildMessage> failure;
  std::optional<int> status;
};

// Relays signals and the terminal until PID 1 closes the error pipe.
Outcome supervise(int error_fd, const ForwardedSignals& signals, Terminal* terminal) {
  Outcome outcome;
  for (;;) {
    pollfd fds[4] = {{error_fd, POLLIN, 0}, {signals.fd(), POLLIN, 0}, {-1, 0, 0}, {-1, 0, 0}};
    if (terminal != nullptr) {
      terminal->fill_poll(fds[2], fds[3]);
    }
    if (::poll(fds, 4, -1) < 0) {
      continue;
    }
    if (fds[1].revents & POLLIN) {
      signalfd_siginfo info{};
      while (::read(signals.fd(), &info, sizeof info) == sizeof info) {
        int sig = static_cast<int>(info.ssi_signo);
        if (sig == SIGWINCH && terminal != nullptr) {
          terminal->copy_window_size();
          continue;
        }
        relay_signal(sig);
      }
    }
    if (terminal != nullptr) {
      terminal->relay(fds[2], fds[3]);
    }
    if (fds[0].revents & (POLLIN | POLLHUP)) {
      ChildMessage message{};
      ssize_t n = ::read(error_fd, &message, sizeof message);
      if (n <= 0) {
        break;
      }
      if (message.kind == ChildMessage::failed && !outcome.failure) {
        outcome.failure = message;
      } else if (message.kind == ChildMessage::exited) {
        outcome.status = message.status;
        break; // only PID 1 is left, tearing down the namespaces
      }
    }
  }
  if (terminal != nullptr) {
    terminal->drain();
  }
  return outcome;
}

// The pty master sent by the child; nullopt if it failed before sending.
std::optional<core::UniqueFd> receive_fd(int socket) {
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  char byte = 0;
  iovec iov{&byte, 1};
  msghdr message{};
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  if (::recvmsg(socket, &message, MSG_CMSG_CLOEXEC) != 1) {
    return std::nullopt;
  }
  cmsghdr* header = CMSG_FIRSTHDR(&message);
  if (header == nullptr || header->cmsg_type != SCM_RIGHTS) {
    return std::nullopt;
  }
  int fd = -1;
  std::memcpy(&fd, CMSG_DATA(header), sizeof fd);
  return core::UniqueFd(fd);
}

// Everything the child will need, computed while we may still allocate and throw.
ChildPlan make_plan(const SandboxSpec& spec, const SetupContext& context, const SandboxIo& io) {
  ChildPlan plan;
  plan.ops = plan_setup(spec, context);
  plan.command_ops = plan_command_setup(spec, context);
  int slots = 0;
  for (const auto& op : plan.ops) {
    slots = std::max(slots, op.slot + 1);
  }
  plan.tree_fds.assign(static_cast<std::size_t>(slots), -1);
  fill_process(plan, spec, lookup_user(spec));
  plan.capabilities = spec.capabilities;
  plan.last_capability = last_capability();
  plan.no_new_privileges = spec.no_new_privileges && !spec.privileged;
  plan.seccomp = seccomp_program(spec);
  plan.set_groups = !spec.namespaces.user || ::geteuid() == 0 || uses_helper_maps(spec);
  plan.stdio[0] = io.in_fd;
  plan.stdio[1] = io.out_fd;
  plan.stdio[2] = io.err_fd;
  return plan;
}

// The cgroup.procs files the command writes itself into, opened while the
// host's cgroupfs is still reachable.
std::vector<core::UniqueFd> open_cgroup_procs(const Cgroup* cgroup) {
  std::vector<core::UniqueFd> fds;
  if (cgroup == nullptr) {
    return fds;
  }
  for (const auto& dir : cgroup->directories()) {
    core::UniqueFd fd(::open((dir / "cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) {
      core::throw_errno("sandbox: open", (dir / "cgroup.procs").string());
    }
    fds.push_back(std::move(fd));
  }
  return fds;
}

SandboxResult make_result(int status, const Cgroup* cgroup, const SandboxSpec& spec) {
  SandboxResult result;
  if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  } else {
    result.exit_code = WEXITSTATUS(status);
  }
  result.memory_limit = spec.limits.memory_bytes;
  result.out_of_memory = cgroup != nullptr && cgroup->oom_kill_count() > 0;
  return result;
}

} // namespace

std::string SandboxResult::describe() const {
  std::string limit;
  if (memory_limit) {
    std::int64_t mib = *memory_limit / (1024 * 1024);
    limit = *memory_limit % (1024 * 1024) == 0 ? std::to_string(mib) + " MiB"
                                               : std::to_string(*memory_limit) + " bytes";
  }
  if (out_of_memory && signal == SIGKILL) {
    return "killed: out of memory (limit " + limit + ")";
  }
  std::string text =
      signal != 0 ? "killed by signal " + std::to_string(signal) + " (" + ::strsignal(signal) + ")"
                  : "exited with code " + std::to_string(exit_code);
  if (out_of_memory) {
    text += " (a process was killed: out of memory, limit " + limit + ")";
  }
  return text;
}

SandboxResult run_sandbox(const SandboxSpec& spec, const SandboxIo& io) {
  if (spec.namespaces.user && !spec.limits.empty()) {
    throw core::Error("sandbox: resource limits need root (cgroups are not delegated here)");
  }
  reap_finished_inits();
  static std::once_flag swept;
  std::call_once(swept, [] { remove_stale_scratch_dirs("cbuild-sandbox-"); });
  std::unique_ptr<Cgroup> cgroup;
  if (::geteuid() == 0) {
    CgroupLayout layout = detect_cgroup_layout();
    remove_stale_cgroups(layout);
    if (!spec.limits.empty()) {
      cgroup = std::make_unique<Cgroup>(layout, spec.limits);
    }
  }
  auto run_dir = std::make_unique<RunDir>(spec);
  SetupContext context{run_dir->merged(), run_dir->etc(), run_dir->overlay_lower(),
                       run_dir->has_etc_dir(), cgroup.get(),
                       // as Docker: all of the host's devices for --privileged
                       spec.privileged ? list_host_devices() : std::vector<HostDevice>{}};
  ChildPlan plan = make_plan(spec, context, io);
  std::vector<core::UniqueFd> cgroup_fds = open_cgroup_procs(cgroup.get());
  for (const auto& fd : cgroup_fds) {
    plan.cgroup_fds.push_back(fd.get());
  }

  Pipe sync = make_pipe();
  Pipe errors = make_pipe();
  plan.sync_fd = sync.read.get();
  plan.wait_for_parent = spec.namespaces.user;
  if (!plan.wait_for_parent) {
    ::fcntl(sync.read.get(), F_SETFL, O_NONBLOCK);
  }
  plan.error_fd = errors.write.get();
  std::unique_ptr<Terminal> terminal;
  core::UniqueFd console_parent;
  core::UniqueFd console_child;
  if (spec.tty) {
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
      core::throw_errno("sandbox: create", "console socket");
    }
    console_parent.reset(pair[0]);
    console_child.reset(pair[1]);
    plan.console_socket = pair[1];
  }
  plan.keep_fds = {plan.stdio[0], plan.stdio[1], plan.stdio[2],
                   plan.sync_fd,  plan.error_fd, plan.console_socket};
  plan.keep_fds.insert(plan.keep_fds.end(), plan.cgroup_fds.begin(), plan.cgroup_fds.end());
  std::sort(plan.keep_fds.begin(), plan.keep_fds.end());
  ForwardedSignals signals;

  long pid = ::syscall(SYS_clone, clone_flags(spec) | SIGCHLD, nullptr, nullptr, nullptr, 0);
  if (pid < 0) {
    core::throw_errno("sandbox: clone", "namespaces");
  }
  if (pid == 0) {
    child_main(plan);
  }
  auto init = static_cast<pid_t>(pid);
  core::ScopeExit reap([init] {
    ::kill(init, SIGKILL);
    ::waitpid(init, nullptr, 0);
  });
  RunningInit registered(init);
  sync.read.reset();
  errors.write.reset();
  console_child.reset();
  if (spec.namespaces.user) {
    write_id_maps(init, spec);
    char go = 1;
    if (::write(sync.write.get(), &go, 1) != 1) {
      core::throw_errno("sandbox: start", "child");
    }
  }
  if (spec.tty) {
    terminal = std::make_unique<Terminal>(io);
    if (auto master = receive_fd(console_parent.get())) {
      terminal->attach(std::move(*master));
    }
  }

  Outcome outcome = supervise(errors.read.get(), signals, terminal.get());
  registered.release();
  if (outcome.failure) {
    throw core::Error(failure_message(plan, *outcome.failure));
  }
  int status = 0;
  if (outcome.status) {
    status = *outcome.status;
    reap.release();
    finish_later(init, std::move(run_dir)); // its namespaces are still being torn down
  } else {
    // PID 1 died without a report (killed from outside, or by the OOM killer).
    ::waitpid(init, &status, 0);
    reap.release();
  }
  return make_result(status, cgroup.get(), spec);
}

} // namespace builder::sandbox
