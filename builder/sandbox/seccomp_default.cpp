// Docker's default seccomp profile, rebuilt as data: the names are the
// interface (they must match moby's default.json to behave the same), the
// grouping below is ours.
#include "builder/sandbox/seccomp.h"

#include <sstream>

namespace builder::sandbox {
namespace {

// Allowed for everyone.
constexpr const char* k_allowed =
    "accept accept4 access adjtimex alarm bind brk capget capset chdir chmod chown chown32 "
    "clock_adjtime clock_adjtime64 clock_getres clock_getres_time64 clock_gettime "
    "clock_gettime64 clock_nanosleep clock_nanosleep_time64 close close_range connect "
    "copy_file_range creat dup dup2 dup3 epoll_create epoll_create1 epoll_ctl epoll_ctl_old "
    "epoll_pwait epoll_pwait2 epoll_wait epoll_wait_old eventfd eventfd2 execve execveat exit "
    "exit_group faccessat faccessat2 fadvise64 fadvise64_64 fallocate fanotify_mark fchdir "
    "fchmod fchmodat fchown fchown32 fchownat fcntl fcntl64 fdatasync fgetxattr flistxattr "
    "flock fork fremovexattr fsetxattr fstat fstat64 fstatat64 fstatfs fstatfs64 fsync "
    "ftruncate ftruncate64 futex futex_time64 futex_waitv futimesat getcpu getcwd getdents "
    "getdents64 getegid getegid32 geteuid geteuid32 getgid getgid32 getgroups getgroups32 "
    "getitimer getpeername getpgid getpgrp getpid getppid getpriority getrandom getresgid "
    "getresgid32 getresuid getresuid32 getrlimit get_robust_list getrusage getsid getsockname "
    "getsockopt get_thread_area gettid gettimeofday getuid getuid32 getxattr inotify_add_watch "
    "inotify_init inotify_init1 inotify_rm_watch io_cancel ioctl io_destroy io_getevents "
    "io_pgetevents io_pgetevents_time64 ioprio_get ioprio_set io_setup io_submit "
    "io_uring_enter io_uring_register io_uring_setup ipc kill landlock_add_rule "
    "landlock_create_ruleset landlock_restrict_self lchown lchown32 lgetxattr link linkat "
    "listen listxattr llistxattr _llseek lremovexattr lseek lsetxattr lstat lstat64 madvise "
    "membarrier memfd_create memfd_secret mincore mkdir mkdirat mknod mknodat mlock mlock2 "
    "mlockall mmap mmap2 mprotect mq_getsetattr mq_notify mq_open mq_timedreceive "
    "mq_timedreceive_time64 mq_timedsend mq_timedsend_time64 mq_unlink mremap msgctl msgget "
    "msgrcv msgsnd msync munlock munlockall munmap name_to_handle_at nanosleep newfstatat "
    "_newselect open openat openat2 pause pidfd_open pidfd_send_signal pipe pipe2 pkey_alloc "
    "pkey_free pkey_mprotect poll ppoll ppoll_time64 prctl pread64 preadv preadv2 prlimit64 "
    "process_mrelease pselect6 pselect6_time64 pwrite64 pwritev pwritev2 read readahead "
    "readlink readlinkat readv recv recvfrom recvmmsg recvmmsg_time64 recvmsg remap_file_pages "
    "removexattr rename renameat renameat2 restart_syscall rmdir rseq rt_sigaction "
    "rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait "
    "rt_sigtimedwait_time64 rt_tgsigqueueinfo sched_getaffinity sched_getattr sched_getparam "
    "sched_get_priority_max sched_get_priority_min sched_getscheduler sched_rr_get_interval "
    "sched_rr_get_interval_time64 sched_setaffinity sched_setattr sched_setparam "
    "sched_setscheduler sched_yield seccomp select semctl semget semop semtimedop "
    "semtimedop_time64 send sendfile sendfile64 sendmmsg sendmsg sendto setfsgid setfsgid32 "
    "setfsuid setfsuid32 setgid setgid32 setgroups setgroups32 setitimer setpgid setpriority "
    "setregid setregid32 setresgid setresgid32 setresuid setresuid32 setreuid setreuid32 "
    "setrlimit set_robust_list setsid setsockopt set_thread_area set_tid_address setuid "
    "setuid32 setxattr shmat shmctl shmdt shmget shutdown sigaltstack signalfd signalfd4 "
    "sigprocmask sigreturn socketcall socketpair splice stat stat64 statfs statfs64 statx "
    "symlink symlinkat sync sync_file_range syncfs sysinfo tee tgkill time timer_create "
    "timer_delete timer_getoverrun timer_gettime timer_gettime64 timer_settime "
    "timer_settime64 timerfd_create timerfd_gettime timerfd_gettime64 timerfd_settime "
    "timerfd_settime64 times tkill truncate truncate64 ugetrlimit umask uname unlink unlinkat "
    "utime utimensat utimensat_time64 utimes vfork vmsplice wait4 waitid waitpid write writev";

// Allowed only when the capability is granted.
struct CapGated {
  const char* cap;
  const char* names;
};
constexpr CapGated k_cap_gated[] = {
    {"CAP_DAC_READ_SEARCH", "open_by_handle_at"},
    {"CAP_SYS_ADMIN", "bpf clone clone3 fanotify_init fsconfig fsmount fsopen fspick "
                      "lookup_dcookie mount mount_setattr move_mount open_tree perf_event_open "
                      "quotactl quotactl_fd setdomainname sethostname setns syslog umount "
                      "umount2 unshare"},
    {"CAP_SYS_BOOT", "reboot"},
    {"CAP_SYS_CHROOT", "chroot"},
    {"CAP_SYS_MODULE", "delete_module init_module finit_module"},
    {"CAP_SYS_PACCT", "acct"},
    {"CAP_SYS_PTRACE", "kcmp pidfd_getfd process_madvise process_vm_readv process_vm_writev "
                       "ptrace"},
    {"CAP_SYS_RAWIO", "iopl ioperm"},
    {"CAP_SYS_TIME", "settimeofday stime clock_settime clock_settime64"},
    {"CAP_SYS_TTY_CONFIG", "vhangup"},
    {"CAP_SYS_NICE", "get_mempolicy mbind set_mempolicy set_mempolicy_home_node"},
    {"CAP_SYSLOG", "syslog"},
    {"CAP_BPF", "bpf"},
    {"CAP_PERFMON", "perf_event_open"},
};

// Namespace flags of clone(2) that need CAP_SYS_ADMIN: CLONE_NEWNS, NEWCGROUP,
// NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET (0x7e020000).
constexpr std::uint64_t k_clone_namespace_flags = 0x7e020000;

std::vector<std::string> split(const char* names) {
  std::vector<std::string> out;
  std::istringstream in(names);
  for (std::string name; in >> name;) {
    out.push_back(name);
  }
  return out;
}

SeccompRule allow(const char* names) {
  SeccompRule rule;
  rule.names = split(names);
  rule.action = "SCMP_ACT_ALLOW";
  return rule;
}

void add_argument_rules(SeccompProfile& profile) {
  SeccompRule ptrace = allow("process_vm_readv process_vm_writev ptrace");
  ptrace.min_kernel = "4.8";
  profile.rules.push_back(ptrace);

  SeccompRule socket = allow("socket"); // everything but AF_VSOCK (40)
  socket.args.push_back({0, 40, 0, "SCMP_CMP_NE"});
  profile.rules.push_back(socket);

  // personality(): only the harmless personas (PER_LINUX, PER_LINUX32,
  // UNAME26, UNAME26|PER_LINUX32, and the 0xffffffff query).
  for (std::uint64_t persona : {0x0ULL, 0x8ULL, 0x20000ULL, 0x20008ULL, 0xffffffffULL}) {
    SeccompRule rule = allow("personality");
    rule.args.push_back({0, persona, 0, "SCMP_CMP_EQ"});
    profile.rules.push_back(rule);
  }
  SeccompRule arch_prctl = allow("arch_prctl");
  arch_prctl.include_arches = {"amd64", "x32"};
  profile.rules.push_back(arch_prctl);
  SeccompRule modify_ldt = allow("modify_ldt");
  modify_ldt.include_arches = {"amd64", "x32", "x86"};
  profile.rules.push_back(modify_ldt);
}

void add_clone_rules(SeccompProfile& profile) {
  // Without CAP_SYS_ADMIN, clone() may not create namespaces, and clone3()
  // answers ENOSYS so that libc falls back to clone() where flags are visible.
  SeccompRule clone = allow("clone");
  clone.args.push_back({0, k_clone_namespace_flags, 0, "SCMP_CMP_MASKED_EQ"});
  clone.exclude_caps = {"CAP_SYS_ADMIN"};
  clone.exclude_arches = {"s390", "s390x"};
  profile.rules.push_back(clone);

  SeccompRule clone3;
  clone3.names = {"clone3"};
  clone3.action = "SCMP_ACT_ERRNO";
  clone3.errno_ret = 38; // ENOSYS
  clone3.exclude_caps = {"CAP_SYS_ADMIN"};
  profile.rules.push_back(clone3);
}

} // namespace

SeccompProfile default_seccomp_profile() {
  SeccompProfile profile;
  profile.default_action = "SCMP_ACT_ERRNO";
  profile.default_errno_ret = 1;
  profile.rules.push_back(allow(k_allowed));
  add_argument_rules(profile);
  for (const auto& gated : k_cap_gated) {
    SeccompRule rule = allow(gated.names);
    rule.include_caps = {gated.cap};
    profile.rules.push_back(rule);
  }
  add_clone_rules(profile);
  return profile;
}

} // namespace builder::sandbox
