#include "sandbox_fixture.h"

#include "core/error.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace sandbox_test {
namespace fs = std::filesystem;

bool can_run_sandbox(std::string& reason) {
  if (::geteuid() != 0) {
    reason = "sandbox tests need root (real namespaces, mounts, cgroups)";
    return false;
  }
  if (!fs::exists("/bin/busybox")) {
    reason = "/bin/busybox (busybox-static) is not installed";
    return false;
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    ::_exit(::unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS) == 0 ? 0 : 1);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    reason = "cannot create namespaces here";
    return false;
  }
  return true;
}

BusyboxRootfs::BusyboxRootfs() : m_dir({}, "cbuild-busybox-") {
  const fs::path root = m_dir.path();
  for (const char* dir : {"bin", "etc", "tmp", "root", "proc", "sys", "dev", "home/app"}) {
    fs::create_directories(root / dir);
  }
  fs::permissions(root / "tmp", fs::perms(01777));
  fs::copy_file("/bin/busybox", root / "bin/busybox");
  FILE* list = ::popen("/bin/busybox --list", "r");
  char name[256];
  while (list && std::fgets(name, sizeof name, list)) {
    std::string applet(name);
    applet.erase(applet.find_last_not_of("\n") + 1);
    if (!applet.empty() && applet != "busybox") {
      std::error_code ec;
      fs::create_symlink("busybox", root / "bin" / applet, ec);
    }
  }
  if (list) {
    ::pclose(list);
  }
  std::ofstream(root / "etc/passwd") << "root:x:0:0:root:/root:/bin/sh\n"
                                        "app:x:1000:1000:app:/home/app:/bin/sh\n"
                                        "nobody:x:65534:65534:nobody:/home:/bin/false\n";
  std::ofstream(root / "etc/group") << "root:x:0:\nwheel:x:10:app\napp:x:1000:\n"
                                       "nogroup:x:65534:\n";
}

builder::sandbox::SandboxSpec shell_spec(const BusyboxRootfs& rootfs, const core::TempDir& scratch,
                                         const std::string& script) {
  auto spec = builder::sandbox::default_spec();
  fs::create_directories(scratch.path() / "upper");
  fs::create_directories(scratch.path() / "work");
  spec.rootfs.lower_dirs = {rootfs.path()};
  spec.rootfs.upper_dir = scratch.path() / "upper";
  spec.rootfs.work_dir = scratch.path() / "work";
  spec.argv = {"sh", "-c", script};
  return spec;
}

Captured run_captured(const builder::sandbox::SandboxSpec& spec) {
  core::TempDir out_dir({}, "cbuild-out-");
  fs::path file = out_dir.path() / "out";
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  builder::sandbox::SandboxIo io{null_fd, fd, fd, false};
  Captured captured;
  try {
    captured.result = builder::sandbox::run_sandbox(spec, io);
  } catch (...) {
    ::close(fd);
    ::close(null_fd);
    throw;
  }
  ::close(fd);
  ::close(null_fd);
  std::ifstream in(file);
  std::ostringstream text;
  text << in.rdbuf();
  captured.out = text.str();
  return captured;
}

std::string host_status(const std::string& key) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key + ":", 0) == 0) {
      std::istringstream fields(line.substr(key.size() + 1));
      std::string value;
      fields >> value;
      return value;
    }
  }
  return {};
}

} // namespace sandbox_test
