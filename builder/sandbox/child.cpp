// The code between clone() and execve(). The clone copied the memory of a
// process whose other threads may have held malloc's, stdio's, the locale's or
// glibc's thread-list locks at that instant: those locks stay held here for
// good. So the rules are: no allocation, no exceptions, no stdio, and no libc
// function that takes a lock or talks to other threads (setgroups, setresuid
// and setresgid broadcast to every thread in glibc: use the raw system calls).
// Every failure is reported as {step, errno} on the error pipe, followed by
// _exit(127). Everything it needs was computed in ChildPlan.
#include "builder/sandbox/setup_plan.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <grp.h>

namespace builder::sandbox {
namespace {

constexpr int k_forwarded[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH};

void send(int fd, const ChildMessage& message) {
  // A short write on a pipe of this size cannot happen; nothing to do if it fails.
  [[maybe_unused]] ssize_t n = ::write(fd, &message, sizeof message);
}

[[noreturn]] void fail(const ChildPlan& plan, int step, int err) {
  send(plan.error_fd, {ChildMessage::failed, step, err, 0});
  ::_exit(127);
}

[[noreturn]] void fail(const ChildPlan& plan, ProcessStep step) {
  fail(plan, static_cast<int>(step), errno);
}

bool bring_loopback_up() {
  int sock = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) {
    return false;
  }
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  bool ok = ::ioctl(sock, SIOCGIFFLAGS, &request) == 0;
  request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP | IFF_RUNNING);
  ok = ok && ::ioctl(sock, SIOCSIFFLAGS, &request) == 0;
  int saved = errno;
  ::close(sock);
  errno = saved;
  return ok;
}

bool set_read_only(int dirfd, const char* path, unsigned flags) {
  mount_attr attr{};
  attr.attr_set = MOUNT_ATTR_RDONLY;
  return ::mount_setattr(dirfd, path, flags, &attr, sizeof attr) == 0;
}

bool clone_tree(ChildPlan& plan, const SetupOp& op) {
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (op.recursive ? AT_RECURSIVE : 0);
  int fd = ::open_tree(AT_FDCWD, op.source.c_str(), flags);
  if (fd < 0) {
    return false;
  }
  plan.tree_fds[static_cast<std::size_t>(op.slot)] = fd;
  return !op.read_only || set_read_only(fd, "", AT_EMPTY_PATH | (op.recursive ? AT_RECURSIVE : 0));
}

bool enter_root(const char* dir) {
  // pivot_root(".", ".") stacks the old root on top of the new one; detaching
  // it leaves nothing of the host reachable (bubblewrap and runc do the same).
  return ::chdir(dir) == 0 && ::syscall(SYS_pivot_root, ".", ".") == 0 &&
         ::umount2(".", MNT_DETACH) == 0 && ::chdir("/") == 0;
}

bool mask(const char* path) {
  struct stat st {};
  if (::stat(path, &st) != 0) {
    return false;
  }
  if (S_ISDIR(st.st_mode)) {
    return ::mount("tmpfs", path, "tmpfs", MS_RDONLY, "size=0") == 0;
  }
  return ::mount("/dev/null", path, nullptr, MS_BIND, nullptr) == 0;
}

bool make_file(const char* path) {
  int fd = ::open(path, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) {
    // Something already there (a directory, a symlink) is fine as a mountpoint.
    return errno == EISDIR || errno == ELOOP || errno == EEXIST;
  }
  ::close(fd);
  return true;
}

/// The overlay root through the new mount API, one `lowerdir+` per layer;
/// without it (no fsopen, or a kernel before 6.8 rejecting `lowerdir+`),
/// mount(2) with the option string in op.data, when the layers fit in it.
bool mount_overlay(const SetupOp& op) {
  int fs = ::fsopen("overlay", FSOPEN_CLOEXEC);
  bool configured = fs >= 0;
  for (size_t i = 0; configured && i < op.options.size(); ++i) {
    const auto& [key, value] = op.options[i];
    configured = ::fsconfig(fs, FSCONFIG_SET_STRING, key.c_str(), value.c_str(), 0) == 0;
  }
  if (!configured) {
    if (fs >= 0) {
      ::close(fs);
    }
    if (op.data.empty()) {
      errno = E2BIG; // too many layers for mount(2)'s one page of options
      return false;
    }
    return ::mount("overlay", op.target.c_str(), "overlay", op.flags, op.data.c_str()) == 0;
  }
  int mnt = -1;
  if (::fsconfig(fs, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) == 0) {
    mnt = ::fsmount(fs, FSMOUNT_CLOEXEC, (op.flags & MS_RDONLY) ? MOUNT_ATTR_RDONLY : 0);
  }
  int saved = errno;
  ::close(fs);
  if (mnt < 0) {
    errno = saved;
    return false;
  }
  bool moved = ::move_mount(mnt, "", AT_FDCWD, op.target.c_str(), MOVE_MOUNT_F_EMPTY_PATH) == 0;
  saved = errno;
  ::close(mnt);
  errno = saved;
  return moved;
}

bool apply(ChildPlan& plan, const SetupOp& op) {
  const char* target = op.target.c_str();
  switch (op.kind) {
  case OpKind::unshare_cgroup: return ::unshare(CLONE_NEWCGROUP) == 0;
  case OpKind::set_hostname: return ::sethostname(op.source.data(), op.source.size()) == 0;
  case OpKind::make_private:
    return ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0;
  case OpKind::mount:
    return ::mount(op.source.c_str(), target, op.fstype.empty() ? nullptr : op.fstype.c_str(),
                   op.flags, op.data.empty() ? nullptr : op.data.c_str()) == 0;
  case OpKind::clone_tree: return clone_tree(plan, op);
  case OpKind::pivot_root: return enter_root(target);
  case OpKind::attach_tree:
    return ::move_mount(plan.tree_fds[static_cast<std::size_t>(op.slot)], "", AT_FDCWD, target,
                        MOVE_MOUNT_F_EMPTY_PATH) == 0;
  case OpKind::make_dir: return ::mkdir(target, 0755) == 0 || errno == EEXIST;
  case OpKind::make_file: return make_file(target);
  case OpKind::make_device:
    // chmod: mknod's mode went through the umask.
    return (::mknod(target, op.mode, op.device) == 0 || errno == EEXIST) &&
           ::lchown(target, op.uid, op.gid) == 0 && ::chmod(target, op.mode & 07777) == 0;
  case OpKind::symlink: return ::symlink(op.source.c_str(), target) == 0 || errno == EEXIST;
  case OpKind::read_only:
    return ::mount(target, target, nullptr, MS_BIND | MS_REC, nullptr) == 0 &&
           set_read_only(AT_FDCWD, target, AT_RECURSIVE);
  case OpKind::mask: return mask(target);
  case OpKind::remount_root_ro: return set_read_only(AT_FDCWD, "/", 0);
  case OpKind::loopback_up: return bring_loopback_up();
  case OpKind::mount_overlay: return mount_overlay(op);
  }
  errno = EINVAL;
  return false;
}

void join_cgroup(ChildPlan& plan) {
  for (int fd : plan.cgroup_fds) {
    if (::write(fd, "0", 1) != 1) { // "0": the writing process
      fail(plan, ProcessStep::join_cgroup);
    }
    ::close(fd);
  }
  for (std::size_t i = 0; i < plan.command_ops.size(); ++i) {
    if (!apply(plan, plan.command_ops[i])) {
      fail(plan, static_cast<int>(plan.ops.size() + i), errno);
    }
  }
}

void apply_setup(ChildPlan& plan) {
  for (std::size_t i = 0; i < plan.ops.size(); ++i) {
    const SetupOp& op = plan.ops[i];
    if (!apply(plan, op) && !(op.optional && errno == ENOENT)) {
      fail(plan, static_cast<int>(i), errno);
    }
  }
  for (int& fd : plan.tree_fds) {
    if (fd >= 0) {
      ::close(fd);
      fd = -1;
    }
  }
}

// The terminal comes from the sandbox's own devpts instance, so that ttyname()
// works inside; the master goes to the parent over a unix socket (runc's
// console socket does the same).
void open_terminal(ChildPlan& plan) {
  int master = ::open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  int unlock = 0;
  if (master < 0 || ::ioctl(master, TIOCSPTLCK, &unlock) != 0) {
    fail(plan, ProcessStep::open_terminal);
  }
  int slave = ::ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) {
    fail(plan, ProcessStep::open_terminal);
  }
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  char byte = 't';
  iovec iov{&byte, 1};
  msghdr message{};
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  cmsghdr* header = CMSG_FIRSTHDR(&message);
  header->cmsg_level = SOL_SOCKET;
  header->cmsg_type = SCM_RIGHTS;
  header->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(header), &master, sizeof(int));
  if (::sendmsg(plan.console_socket, &message, MSG_NOSIGNAL) != 1) {
    fail(plan, ProcessStep::open_terminal);
  }
  ::close(master);
  ::close(plan.console_socket);
  plan.tty_fd = slave;
}

bool set_capabilities(CapSet effective, CapSet inheritable) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  for (int i = 0; i < 2; ++i) {
    auto low = static_cast<__u32>(effective.bits >> (32 * i));
    data[i].effective = low;
    data[i].permitted = low;
    data[i].inheritable = static_cast<__u32>(inheritable.bits >> (32 * i));
  }
  return ::syscall(SYS_capset, &header, data) == 0;
}

void drop_bounding_set(const ChildPlan& plan) {
  for (int cap = 0; cap <= plan.last_capability; ++cap) {
    if (!plan.capabilities.has(cap) && ::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 &&
        errno != EINVAL) {
      fail(plan, ProcessStep::drop_bounding_set);
    }
  }
  ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
}

void setup_stdio(const ChildPlan& plan) {
  if (::setsid() < 0) {
    fail(plan, ProcessStep::setsid);
  }
  if (plan.tty_fd >= 0 && ::ioctl(plan.tty_fd, TIOCSCTTY, 0) != 0) {
    fail(plan, ProcessStep::set_controlling_tty);
  }
  for (int i = 0; i < 3; ++i) {
    int from = plan.tty_fd >= 0 ? plan.tty_fd : plan.stdio[i];
    if (from != i && ::dup2(from, i) < 0) {
      fail(plan, ProcessStep::redirect_stdio);
    }
    if (from == i) {
      ::fcntl(i, F_SETFD, 0); // keep it across execve
    }
  }
}

// The raw system calls change this process only. glibc's wrappers would
// signal the threads it believes exist (the parent's) and wait for them.
void switch_user(const ChildPlan& plan) {
  const ResolvedUser& u = plan.user;
  if (plan.set_groups && ::syscall(SYS_setgroups, u.groups.size(), u.groups.data()) != 0) {
    fail(plan, ProcessStep::set_groups);
  }
  if (::syscall(SYS_setresgid, u.gid, u.gid, u.gid) != 0) {
    fail(plan, ProcessStep::set_gid);
  }
  if (::syscall(SYS_setresuid, u.uid, u.uid, u.uid) != 0) {
    fail(plan, ProcessStep::set_uid);
  }
  // Root keeps the sandbox's set; any other user ends with none (the kernel
  // cleared them at setresuid), as with Docker. Inheritable stays empty.
  CapSet effective = u.uid == 0 ? plan.capabilities : CapSet{};
  if (!set_capabilities(effective, CapSet{})) {
    fail(plan, ProcessStep::set_capabilities);
  }
}

void load_seccomp(const ChildPlan& plan) {
  if (plan.no_new_privileges && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    fail(plan, ProcessStep::no_new_privileges);
  }
  if (plan.seccomp.empty()) {
    return;
  }
  sock_fprog program{static_cast<unsigned short>(plan.seccomp.size()),
                     const_cast<sock_filter*>(plan.seccomp.data())};
  if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) != 0) {
    fail(plan, ProcessStep::load_seccomp);
  }
}

// execvp() would search the host's PATH, so look up argv[0] in the sandbox's.
[[noreturn]] void execute(const ChildPlan& plan) {
  const char* file = plan.argv[0];
  if (std::strchr(file, '/') != nullptr || plan.search_path.empty()) {
    ::execve(file, plan.argv.data(), plan.envp.data());
    fail(plan, ProcessStep::execute);
  }
  int first_error = ENOENT;
  char candidate[4096];
  for (const auto& dir : plan.search_path) {
    std::size_t dir_len = dir.size();
    std::size_t file_len = std::strlen(file);
    if (dir_len + 1 + file_len + 1 > sizeof candidate) {
      continue;
    }
    std::memcpy(candidate, dir.data(), dir_len);
    candidate[dir_len] = '/';
    std::memcpy(candidate + dir_len + 1, file, file_len + 1);
    ::execve(candidate, plan.argv.data(), plan.envp.data());
    if (errno != ENOENT && errno != ENOTDIR && first_error == ENOENT) {
      first_error = errno;
    }
  }
  fail(plan, static_cast<int>(ProcessStep::execute), first_error);
}

[[noreturn]] void command_main(ChildPlan& plan) {
  sigset_t none;
  sigemptyset(&none);
  for (int sig : k_forwarded) {
    ::signal(sig, SIG_DFL);
  }
  ::signal(SIGCHLD, SIG_DFL);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  join_cgroup(plan);
  setup_stdio(plan);
  switch_user(plan);
  load_seccomp(plan);
  if (::chdir(plan.cwd.c_str()) != 0) {
    fail(plan, ProcessStep::change_directory);
  }
  execute(plan);
}

void ignore_signal(int) {}

// PID 1 of the sandbox: forwards signals to the command, reaps every zombie,
// and reports the command's wait status when it ends. Returning (exit) makes
// the kernel kill whatever else is left in the PID namespace.
[[noreturn]] void init_loop(const ChildPlan& plan, pid_t command) {
  sigset_t waited;
  sigemptyset(&waited);
  sigaddset(&waited, SIGCHLD);
  for (int sig : k_forwarded) {
    sigaddset(&waited, sig);
  }
  for (;;) {
    siginfo_t info{};
    int sig = ::sigwaitinfo(&waited, &info);
    if (sig < 0) {
      continue;
    }
    if (sig != SIGCHLD) {
      ::kill(command, sig);
      continue;
    }
    int status = 0;
    for (pid_t pid; (pid = ::waitpid(-1, &status, WNOHANG)) > 0;) {
      if (pid == command) {
        // Kill and reap everything else first, so that once the parent reads
        // this message no process of the sandbox is left but this one, whose
        // exit only tears down the namespaces.
        ::kill(-1, SIGKILL);
        while (::waitpid(-1, nullptr, 0) > 0 || errno == EINTR) {
        }
        send(plan.error_fd, {ChildMessage::exited, 0, 0, status});
        ::_exit(0);
      }
    }
  }
}

} // namespace

void close_descriptors_except(const int* keep, std::size_t count) {
  unsigned next = 3;
  for (std::size_t i = 0; i < count; ++i) {
    auto fd = static_cast<unsigned>(keep[i]);
    if (keep[i] < 0 || fd < next) {
      continue;
    }
    if (fd > next) {
      ::syscall(SYS_close_range, next, fd - 1, 0);
    }
    next = fd + 1;
  }
  ::syscall(SYS_close_range, next, ~0U, 0);
}

void child_main(ChildPlan& plan) {
  // Die with the parent: if cbuild is SIGKILLed, PID 1 goes, and with it every
  // process and mount of the sandbox.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  ::setsid(); // leave cbuild's process group: a terminal's ^C goes to cbuild only
  // Other threads of cbuild may have opened descriptors (pipes of other runs)
  // that PID 1, which never execs, would otherwise keep open for its life.
  close_descriptors_except(plan.keep_fds.data(), plan.keep_fds.size());
  // With a user namespace the parent writes our id maps first and then says
  // "go". Otherwise it has nothing to do: the pipe is non-blocking and only
  // tells whether the parent died before PR_SET_PDEATHSIG took effect.
  char go = 0;
  ssize_t n = ::read(plan.sync_fd, &go, 1);
  if (n == 0 || (n < 0 && !(errno == EAGAIN && !plan.wait_for_parent))) {
    ::_exit(127); // the parent went away or refused to continue
  }
  ::close(plan.sync_fd);
  apply_setup(plan);
  if (plan.console_socket >= 0) {
    open_terminal(plan);
  }
  drop_bounding_set(plan);

  struct sigaction action {};
  action.sa_handler = ignore_signal;
  sigset_t blocked;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGCHLD);
  for (int sig : k_forwarded) {
    ::sigaction(sig, &action, nullptr);
    sigaddset(&blocked, sig);
  }
  ::sigprocmask(SIG_BLOCK, &blocked, nullptr);

  long pid = ::syscall(SYS_clone, SIGCHLD, nullptr, nullptr, nullptr, 0);
  if (pid < 0) {
    fail(plan, ProcessStep::fork_command);
  }
  if (pid == 0) {
    command_main(plan);
  }
  if (plan.tty_fd >= 0) {
    ::close(plan.tty_fd);
  }
  for (int fd : plan.cgroup_fds) {
    ::close(fd);
  }
  // PID 1 keeps the sandbox's capabilities (what `getpcaps 1` shows) and
  // cannot be ptraced by the command.
  set_capabilities(plan.capabilities, CapSet{});
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  init_loop(plan, static_cast<pid_t>(pid));
}

} // namespace builder::sandbox
