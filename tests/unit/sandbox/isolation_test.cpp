// Real namespaces, as root: capabilities, namespaces, the root filesystem.
#include "sandbox_fixture.h"

#include "builder/sandbox/setup_plan.h"

#include "core/error.h"

#include <catch2/catch.hpp>

#include <grp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

using namespace builder::sandbox;
using sandbox_test::BusyboxRootfs;
using sandbox_test::run_captured;
using sandbox_test::shell_spec;

namespace {

std::string status_line(const std::string& out, const std::string& key) {
  auto at = out.find(key + ":");
  REQUIRE(at != std::string::npos);
  auto start = out.find_first_not_of(" \t", at + key.size() + 1);
  return out.substr(start, out.find('\n', start) - start);
}

} // namespace

TEST_CASE("sandbox runs a command and reports its exit code", "[sandbox][root]") {
  SANDBOX_PRECONDITION();
  BusyboxRootfs rootfs;
  core::TempDir scratch;
  auto captured = run_captured(shell_spec(rootfs, scratch, "echo hello; exit 3"));
  CHECK(captured.out == "hello\n");
  CHECK(captured.result.exit_code == 3);
  CHECK(captured.result.signal == 0);
  CHECK(captured.result.describe() == "exited with code 3");
}

TEST_CASE("sandbox PID 1 has Docker's default capabilities", "[sandbox][root]") {
  SANDBOX_PRECONDITION();
  BusyboxRootfs rootfs;
  core::TempDir scratch;
  auto captured = run_captured(
      shell_spec(rootfs, scratch, "cat /proc/1/status; echo self; cat /proc/self/status"));
  CHECK(status_line(captured.out, "CapEff") == "00000000a80425fb");
  CHECK(status_line(captured.out, "CapBnd") == "00000000a80425fb");
  CHECK(status_line(captured.out, "CapPrm") == "00000000a80425fb");
  auto self = captured.out.substr(captured.out.find("self\n"));
  CHECK(status_line(self, "CapEff") == "00000000a80425fb");
  CHECK(status_line(self, "NoNewPrivs") == "1");
  CHECK(status_line(self, "Seccomp") == "2");
}

TEST_CASE("sandbox --cap-drop CHOWN makes chown fail and leaves the file", "[sandbox][root]") {
  SANDBOX_PRECONDITION();
  BusyboxRootfs rootfs;
  core::TempDir scratch;
  auto spec = shell_spec(rootfs, scratch,
                         "touch /root/x; chown 2:2 /root/x; echo rc=$?; stat -c %u:%g /root/x");
  spec.capabilities = resolve_capabilities({}, {"CHOWN"}, false);
  auto captured = run_captured(spec);
  CHECK(captured.out.find("Operation not permitted") != std::string::npos);
  CHECK(captured.out.find("rc=1") != std::string::npos);
  CHECK(captured.out.find("0:0") != std::string::npos);

  SECTION("with the default set the same chown works") {
    core::TempDir scratch2;
    auto ok = run_captured(
        shell_spec(rootfs, scratch2, "touch /root/x; chown 2:2 /root/x; stat -c %u:%g /root/x"));
    CHECK(ok.out == "2:2\n");
  }
}

TEST_CASE("sandbox --privileged keeps the full capability set", "[sandbox][root]") {
  SANDBOX_PRECONDITION();
  BusyboxRootfs rootfs;
  core::TempDir scratch;
  auto spec = shell_spec(rootfs, scratch, "cat /proc/1/status");
  spec.privileged = true;
  spec.capabilities = resolve_capabilities({}, {}, true);
  auto captured = run_captured(spec);
  CHECK(status_line(captured.out, "CapBnd") == sandbox_test::host_status("CapBnd"));
  CHECK(status_line(captured.out, "CapEff") == sandbox_test::host_status("CapBnd"));
}

TEST_CASE("sandbox --privileged gets the host's devices, no seccomp, no masks, rw /sys",
          "[sandbox][root]") {
  SANDBOX_PRECONDITION();
  auto devices = list_host_devices("/dev");
  if (devices.empty()) {
    WARN("SKIPPED: the host's /dev has no device beyond the minimal set");
    return;
  }
  // Up to three of the host's devices: "<path> <major>:<minor>" as stat prints them.
  std::string script;
  std::string expected;
  for (std::size_t i = 0; i < devices.size() && i < 3; ++i) {
    const HostDevice& dev = devices[i];
    script += "stat -c '%n %t:%T' /dev/" + dev.path + "; ";
    char line[128];
    std::snprintf(line, sizeof line, "/dev/%s %x:%x\n", dev.path.c_str(), major(dev.device),
                  minor(dev.device));
    expected += line;
  }
  script += "grep Seccomp: /proc/self/status; stat -c %F /proc/timer_list; "
            "grep ' /sys sysfs' /proc/mounts | cut -d' ' -f4 | cut -d, -f1";
  BusyboxRootfs rootfs;
  core::TempDir scratch;
  auto spec = shell_spec(rootfs, scratch, script);
  spec.privileged = true;
  spec.capabilities = resolve_capabilities({}, {}, true);
  auto captured = run_captured(spec);
  CHECK(captured.out == expected + "Seccomp:\t0\nregular empty file\nrw\n");

  SECTION("without --privileged none of them is there, and the rest is locked down") {
    core::TempDir scratch2;
    auto plain = run_captured(shell_spec(rootfs, scratch2, script));
    CHECK(plain.out.find(devices[0].path + " ") == std::string::npos);
    CHECK(plain.out.find("Seccomp:\t2\ncharacter special file\nro\n") != std::string::npos);
  }
}

TEST_CASE("sandbox namespaces differ from the host's", "[sandbox][root]") {
  SANDBOX_PRECONDITION();
  BusyboxRootfs rootfs;
  core::TempDir scratch;
  auto spec = shell_spec(rootfs, scratch,
                         "for n in mnt pid uts ipc net cgroup; do echo $n=$(readlink "
                         "/proc/self/ns/$n); done; hostname; ls /sys/class/net");
  spec.network = NetworkMode::none;
  spec.hostname = "sandbox-test";
  auto captured = run_captured(spec);
  for (const char* ns : {"mnt", "pid", "uts", "ipc", "net", "cgroup"}) {
    char host[128] = {};
    auto link = "/proc/self/ns/" + std::string(ns);
    REQUIRE(::readlink(link.c_str(), host, sizeof host - 1) > 0);
    INFO(ns << " host " << host << "\n" << captured.out);
    CHECK(captured.out.find(std::string(ns) + "=" + ns + ":[") != std::string::npos);
    CHECK(captured.out.find(std::string(ns) + "=" + host + "\n") == std::string::npos);
  }
  CHECK(captured.out.find("\nsandbox-test\n") != std::string::npos);
  CHECK(captured.out.substr(captured.out.find("sandbox-test\n") + 13) == "lo\n");
}

TEST_CASE("sandbox cannot reach host files outside the rootfs", "[sandbox][root]") {
  SANDBOX_PRECONDITION();
  BusyboxRootfs rootfs;
  core::TempDir scratch;
  core::TempDir secret_dir({}, "cbuild-secret-");
  std::ofstream(secret_dir.path() / "secret") << "host-secret\n";
  const std::string secret = (secret_dir.path() / "secret").string();
  // A symlink planted in the image, pointing at the host path.
  std::filesystem::create_symlink(secret, rootfs.path() / "tmp/link");
  auto spec = shell_spec(rootfs, scratch,
                         "cat /../../.." + secret + "; cat /tmp/link; cat /proc/1/root" + secret +
                             "; cat /proc/self/root/../.." + secret + "; ls /proc/1/root/; true");
  auto captured = run_captured(spec);
  INFO(captured.out);
  CHECK(captured.out.find("host-secret") == std::string::npos);
  CHECK(captured.out.find("No such file or directory") != std::string::npos);
}

TEST_CASE("sandbox masks /proc paths and keeps /proc/sys read-only", "[sandbox][root]") {
  SANDBOX_PRECONDITION();
  BusyboxRootfs rootfs;
  core::TempDir scratch;
  auto spec = shell_spec(rootfs, scratch,
                         "cat /proc/keys /proc/timer_list | wc -c; "
                         "echo 1 > /proc/sys/kernel/domainname && echo WROTE; "
                         "echo x > /sys/kernel/uevent_helper && echo WROTE; true");
  auto captured = run_captured(spec);
  INFO(captured.out);
  std::ifstream timer_list("/proc/timer_list");
  std::string first_line;
  REQUIRE(std::getline(timer_list, first_line)); // the host shows its content
  CHECK(captured.out.find("0\n") == 0);
  CHECK(captured.out.find("WROTE") == std::string::npos);
  CHECK(captured.out.find("Read-only file system") != std::string::npos);
}

TEST_CASE("sandbox keeps /etc/hosts and friends out of the upper dir", "[sandbox][root]") {
  SANDBOX_PRECONDITION();
  BusyboxRootfs rootfs;
  core::TempDir scratch;
  auto spec = shell_spec(rootfs, scratch,
                         "cat /etc/hostname; grep -c localhost /etc/hosts; ls /dev; "
                         "mkdir -p /etc/app && echo x > /etc/app/conf; pwd");
  spec.hostname = "box";
  spec.cwd = "/work/dir";
  auto captured = run_captured(spec);
  INFO(captured.out);
  CHECK(captured.out.find("box\n") == 0);
  for (const char* dev : {"null", "zero", "full", "random", "urandom", "tty", "pts", "shm", "ptmx",
                          "fd", "stdin", "stdout", "stderr"}) {
    CHECK(captured.out.find(std::string("\n") + dev + "\n") != std::string::npos);
  }
  CHECK(captured.out.find("/work/dir\n") != std::string::npos);
  const auto upper = scratch.path() / "upper";
  CHECK(std::filesystem::exists(upper / "etc/app/conf"));
  CHECK(std::filesystem::exists(upper / "work/dir"));
  CHECK_FALSE(std::filesystem::exists(upper / "etc/hosts"));
  CHECK_FALSE(std::filesystem::exists(upper / "etc/hostname"));
  CHECK_FALSE(std::filesystem::exists(upper / "etc/resolv.conf"));
  CHECK_FALSE(std::filesystem::exists(upper / "proc"));
  CHECK_FALSE(std::filesystem::exists(rootfs.path() / "etc/app"));
}

TEST_CASE("sandbox runs as a user from /etc/passwd with its groups", "[sandbox][root]") {
  SANDBOX_PRECONDITION();
  BusyboxRootfs rootfs;
  core::TempDir scratch;
  auto spec = shell_spec(rootfs, scratch, "id; echo $HOME; grep CapEff /proc/self/status");
  spec.user = "app";
  auto captured = run_captured(spec);
  INFO(captured.out);
  CHECK(captured.out.find("uid=1000(app) gid=1000(app) groups=10(wheel)") != std::string::npos);
  CHECK(captured.out.find("/home/app\n") != std::string::npos);
  CHECK(captured.out.find("0000000000000000") != std::string::npos);
}

TEST_CASE("sandbox reports a setup failure with the failing step", "[sandbox][root]") {
  SANDBOX_PRECONDITION();
  BusyboxRootfs rootfs;
  core::TempDir scratch;
  auto spec = shell_spec(rootfs, scratch, "true");
  spec.argv = {"no-such-command"};
  try {
    run_captured(spec);
    FAIL("expected an error");
  } catch (const core::Error& e) {
    CHECK(std::string(e.what()) == "sandbox: execute no-such-command: No such file or directory");
  }
  spec.argv = {"true"};
  spec.mounts.push_back({MountType::bind, "/nonexistent-cbuild-path", "/mnt", false, ""});
  try {
    run_captured(spec);
    FAIL("expected an error");
  } catch (const core::Error& e) {
    CHECK(std::string(e.what()) ==
          "sandbox: bind /nonexistent-cbuild-path: No such file or directory");
  }
}

TEST_CASE("sandbox without root uses a user namespace mapping the caller to root",
          "[sandbox][root]") {
  SANDBOX_PRECONDITION();
  BusyboxRootfs rootfs;
  std::filesystem::permissions(rootfs.path(), std::filesystem::perms(0755));
  pid_t pid = ::fork();
  if (pid == 0) {
    // Become nobody, then run the sandbox like an unprivileged user would.
    gid_t none[1] = {65534};
    if (::setgroups(1, none) != 0 || ::setresgid(65534, 65534, 65534) != 0 ||
        ::setresuid(65534, 65534, 65534) != 0) {
      ::_exit(2);
    }
    // Changing credentials cleared "dumpable", which would leave /proc/<pid>/
    // of our children owned by root; a real unprivileged user has it set.
    ::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    try {
      core::TempDir scratch;
      auto spec = shell_spec(rootfs, scratch, "id -u; cat /proc/self/uid_map; touch /x && echo ok");
      spec.namespaces.user = true;
      spec.network = NetworkMode::none;
      auto captured = run_captured(spec);
      bool ok = captured.out.rfind("0\n", 0) == 0 &&
                captured.out.find(" 65534 ") != std::string::npos &&
                captured.out.find("ok\n") != std::string::npos;
      ::_exit(ok ? 0 : 3);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "rootless sandbox: %s\n", e.what());
      ::_exit(4);
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("sandbox runs in a plain rootfs directory when no overlay is used", "[sandbox][root]") {
  SANDBOX_PRECONDITION();
  BusyboxRootfs rootfs;
  core::TempDir scratch;
  auto spec = shell_spec(rootfs, scratch, "echo data > /root/made-here; cat /etc/hostname");
  spec.rootfs = {};
  spec.rootfs.directory = rootfs.path();
  spec.hostname = "plain";
  auto captured = run_captured(spec);
  INFO(captured.out);
  CHECK(captured.out == "plain\n");
  CHECK(std::filesystem::exists(rootfs.path() / "root/made-here"));
  // The bind-mount targets exist, but the host's text never reached them.
  std::ifstream hostname(rootfs.path() / "etc/hostname");
  std::string line;
  CHECK_FALSE(std::getline(hostname, line));
}
