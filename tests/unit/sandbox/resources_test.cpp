// Real cgroups and seccomp, as root: limits, OOM, seccomp denials, cleanup.
#include "sandbox_fixture.h"

#include "builder/sandbox/cgroups.h"
#include "builder/sandbox/seccomp.h"

#include "core/error.h"

#include <catch2/catch.hpp>

#include <linux/seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

using namespace builder::sandbox;
using sandbox_test::BusyboxRootfs;
using sandbox_test::run_captured;
using sandbox_test::shell_spec;
namespace fs = std::filesystem;

namespace {

// cbuild-<pid>-* cgroups of `owner` in every hierarchy.
int count_cgroups(pid_t owner) {
  int count = 0;
  std::string prefix = "cbuild-" + std::to_string(owner) + "-";
  for (const auto& h : detect_cgroup_layout().hierarchies) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(h.mount_point, ec)) {
      count += entry.path().filename().string().rfind(prefix, 0) == 0 ? 1 : 0;
    }
  }
  return count;
}

// Processes whose command line is exactly `command` (arguments separated by
// spaces): other users of the machine may run a `sleep 300`.
int count_processes(const std::string& command) {
  int count = 0;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::ifstream in(entry.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), {});
    for (auto& c : cmdline) {
      c = c == '\0' ? ' ' : c;
    }
    count += cmdline == command + " " ? 1 : 0;
  }
  return count;
}

int count_mounts(const std::string& needle) {
  std::ifstream in("/proc/self/mountinfo");
  int count = 0;
  for (std::string line; std::getline(in, line);) {
    count += line.find(needle) != std::string::npos ? 1 : 0;
  }
  return count;
}

// Loads `program` in a forked child, calls syscall `nr`; 0 if it succeeded, else errno.
int errno_of_syscall_under(const std::vector<sock_filter>& program, long nr) {
  pid_t pid = ::fork();
  if (pid == 0) {
    sock_fprog prog{static_cast<unsigned short>(program.size()),
                    const_cast<sock_filter*>(program.data())};
    ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
      ::_exit(255);
    }
    long rc = ::syscall(nr, 0, -1, 0, 0, 0);
    ::_exit(rc >= 0 ? 0 : errno);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

} // namespace

TEST_CASE("sandbox --memory kills a memory hog and says out of memory", "[sandbox][root]") {
  SANDBOX_PRECONDITION();
  BusyboxRootfs rootfs;
  core::TempDir scratch;
  auto spec = shell_spec(rootfs, scratch, "dd if=/dev/zero of=/dev/null bs=200M count=1");
  spec.limits.memory_bytes = 64 * 1024 * 1024;
  auto captured = run_captured(spec);
  INFO(captured.out);
  CHECK(captured.result.out_of_memory);
  CHECK(captured.result.signal == SIGKILL);
  CHECK(captured.result.status_code() == 137);
  CHECK(captured.result.describe() == "killed: out of memory (limit 64 MiB)");
  CHECK(count_cgroups(::getpid()) == 0);

  SECTION("a command that stays under the limit is not reported") {
    core::TempDir scratch2;
    auto small = shell_spec(rootfs, scratch2, "dd if=/dev/zero of=/dev/null bs=1M count=1");
    small.limits.memory_bytes = 64 * 1024 * 1024;
    auto ok = run_captured(small);
    CHECK_FALSE(ok.result.out_of_memory);
    CHECK(ok.result.describe() == "exited with code 0");
  }
}

TEST_CASE("sandbox --pids-limit stops a fork bomb", "[sandbox][root]") {
  SANDBOX_PRECONDITION();
  BusyboxRootfs rootfs;
  core::TempDir scratch;
  auto spec = shell_spec(rootfs, scratch,
                         "cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat "
                         "/sys/fs/cgroup/pids.max; i=0; while [ $i -lt 100 ]; do sleep 30 & "
                         "i=$((i+1)); done; echo started $i");
  spec.limits.pids_max = 16;
  auto start = std::chrono::steady_clock::now();
  auto captured = run_captured(spec);
  INFO(captured.out);
  CHECK(captured.out.find("16\n") == 0);
  CHECK(captured.out.find("can't fork") != std::string::npos);
  CHECK(captured.out.find("started 100") == std::string::npos);
  // The sleeps died with the sandbox's PID 1; nothing waited for them.
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
  CHECK(count_processes("sleep 30") == 0);
}

TEST_CASE("sandbox CPU quota shows in the cgroup files", "[sandbox][root]") {
  SANDBOX_PRECONDITION();
  BusyboxRootfs rootfs;
  core::TempDir scratch;
  auto spec =
      shell_spec(rootfs, scratch,
                 "cat /sys/fs/cgroup/cpu/cpu.cfs_period_us /sys/fs/cgroup/cpu/cpu.cfs_quota_us "
                 "2>/dev/null || cat /sys/fs/cgroup/cpu.max");
  spec.limits.cpu_period_us = 50000;
  spec.limits.cpu_quota_us = 25000;
  auto captured = run_captured(spec);
  INFO(captured.out);
  bool v1 = captured.out == "50000\n25000\n";
  bool v2 = captured.out == "25000 50000\n";
  CHECK((v1 || v2));
  CHECK(count_cgroups(::getpid()) == 0);
}

TEST_CASE("sandbox seccomp profile denying chmod makes chmod fail with EPERM", "[sandbox][root]") {
  SANDBOX_PRECONDITION();
  BusyboxRootfs rootfs;
  core::TempDir scratch;
  auto spec =
      shell_spec(rootfs, scratch, "touch /tmp/f; chmod 600 /tmp/f; echo rc=$?; stat -c %a /tmp/f");
  spec.seccomp.mode = SeccompSetting::Mode::profile;
  spec.seccomp.profile = parse_seccomp_profile(R"({
    "defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [{"names": ["chmod", "fchmod", "fchmodat", "fchmodat2"],
                  "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]})",
                                               "test");
  auto captured = run_captured(spec);
  INFO(captured.out);
  CHECK(captured.out.find("Operation not permitted") != std::string::npos);
  CHECK(captured.out.find("rc=1") != std::string::npos);
  CHECK(captured.out.find("644") != std::string::npos);
}

TEST_CASE("sandbox default seccomp profile refuses unshare and mount, runs tools",
          "[sandbox][root]") {
  SANDBOX_PRECONDITION();
  BusyboxRootfs rootfs;
  core::TempDir scratch;
  auto spec = shell_spec(rootfs, scratch,
                         "unshare -m true; echo unshare=$?; mount -t tmpfs none /mnt; echo "
                         "mount=$?; ls / > /tmp/ls && cp /tmp/ls /tmp/ls2 && tar cf /tmp/t.tar "
                         "/tmp/ls2 2>/dev/null && tar tf /tmp/t.tar");
  auto captured = run_captured(spec);
  INFO(captured.out);
  CHECK(captured.out.find("unshare=1") != std::string::npos);
  CHECK(captured.out.find("mount=") != std::string::npos);
  CHECK(captured.out.find("mount=0") == std::string::npos);
  CHECK(captured.out.find("tmp/ls2\n") != std::string::npos);
  CHECK(captured.result.exit_code == 0);

  SECTION("unconfined lets the kernel decide (unshare fails for lack of CAP_SYS_ADMIN)") {
    core::TempDir scratch2;
    auto open = shell_spec(rootfs, scratch2, "unshare -m true 2>&1; echo unshare=$?");
    open.seccomp.mode = SeccompSetting::Mode::unconfined;
    auto out = run_captured(open);
    CHECK(out.out.find("unshare=1") != std::string::npos);
  }
}

TEST_CASE("default seccomp profile denies keyctl with EPERM", "[sandbox][root]") {
  auto program = compile_seccomp(default_seccomp_profile(), default_capabilities());
  CHECK(errno_of_syscall_under(program, SYS_keyctl) == EPERM);
  CHECK(errno_of_syscall_under(program, SYS_add_key) == EPERM);
  CHECK(errno_of_syscall_under(program, SYS_getpid) == 0);
}

TEST_CASE("sandbox leaves no process, mount or cgroup behind", "[sandbox][root]") {
  SANDBOX_PRECONDITION();
  BusyboxRootfs rootfs;
  core::TempDir scratch;
  auto spec = shell_spec(rootfs, scratch, "sleep 31337 & sleep 31337 & echo started");
  spec.limits.memory_bytes = 128 * 1024 * 1024;
  spec.limits.pids_max = 50;
  auto captured = run_captured(spec);
  CHECK(captured.out == "started\n");
  CHECK(count_processes("sleep 31337") == 0);
  CHECK(count_cgroups(::getpid()) == 0);
  CHECK(count_mounts(scratch.path().string()) == 0);
  CHECK(count_mounts("cbuild-sandbox-") == 0);
}

TEST_CASE("sandbox after SIGKILL of its owner: processes die, next run removes the cgroup",
          "[sandbox][root]") {
  SANDBOX_PRECONDITION();
  BusyboxRootfs rootfs;
  core::TempDir scratch;
  pid_t owner = ::fork();
  if (owner == 0) {
    auto spec = shell_spec(rootfs, scratch, "sleep 31338");
    spec.limits.pids_max = 50;
    try {
      run_captured(spec);
    } catch (...) {
    }
    ::_exit(0);
  }
  for (int i = 0; i < 200 && count_processes("sleep 31338") == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(count_processes("sleep 31338") == 1);
  REQUIRE(count_cgroups(owner) > 0);
  ::kill(owner, SIGKILL);
  ::waitpid(owner, nullptr, 0);
  for (int i = 0; i < 200 && count_processes("sleep 31338") > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(count_processes("sleep 31338") == 0);
  CHECK(count_mounts(scratch.path().string()) == 0);

  core::TempDir scratch2;
  auto next = run_captured(shell_spec(rootfs, scratch2, "true"));
  CHECK(next.result.exit_code == 0);
  CHECK(count_cgroups(owner) == 0);
}
