// Scratch directories of a SIGKILLed cbuild: the next run removes them, and
// never those of a process that is still alive.
#include "sandbox_fixture.h"

#include "builder/sandbox/scratch_dir.h"

#include "core/temp_dir.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <optional>
#include <thread>

using namespace builder::sandbox;
using sandbox_test::BusyboxRootfs;
using sandbox_test::shell_spec;
namespace fs = std::filesystem;

namespace {

// Points $TMPDIR at a private directory for the test's lifetime.
class PrivateTmpdir {
public:
  PrivateTmpdir() {
    if (const char* old = std::getenv("TMPDIR")) {
      m_old = old;
    }
    ::setenv("TMPDIR", m_dir.path().c_str(), 1);
  }
  ~PrivateTmpdir() {
    if (m_old) {
      ::setenv("TMPDIR", m_old->c_str(), 1);
    } else {
      ::unsetenv("TMPDIR");
    }
  }
  const fs::path& path() const { return m_dir.path(); }

private:
  core::TempDir m_dir{{}, "cbuild-tmpdir-"};
  std::optional<std::string> m_old;
};

std::vector<fs::path> entries_with_prefix(const fs::path& dir, const std::string& prefix) {
  std::vector<fs::path> found;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind(prefix, 0) == 0) {
      found.push_back(entry.path());
    }
  }
  return found;
}

bool process_running(const std::string& needle) {
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::ifstream in(entry.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), {});
    for (auto& c : cmdline) {
      c = c == '\0' ? ' ' : c;
    }
    if (cmdline.find(needle) != std::string::npos) {
      return true;
    }
  }
  return false;
}

template <typename Predicate> bool wait_until(Predicate done) {
  for (int i = 0; i < 1000; ++i) {
    if (done()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

bool mounted_under(const fs::path& dir) {
  std::ifstream in("/proc/self/mountinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.find(dir.string()) != std::string::npos) {
      return true;
    }
  }
  return false;
}

} // namespace

TEST_CASE("scratch dir of a killed owner is swept, a live one stays", "[sandbox]") {
  PrivateTmpdir tmp;
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  pid_t owner = ::fork();
  REQUIRE(owner >= 0);
  if (owner == 0) {
    ::close(fds[0]);
    ScratchDir dir("cbuild-test-");
    fs::create_directories(dir.path() / "work/work");
    ::chmod((dir.path() / "work/work").c_str(), 0); // as overlayfs leaves it
    [[maybe_unused]] ssize_t n = ::write(fds[1], "x", 1);
    ::pause();
    ::_exit(0);
  }
  ::close(fds[1]);
  char byte = 0;
  REQUIRE(::read(fds[0], &byte, 1) == 1);
  ::close(fds[0]);
  ScratchDir mine("cbuild-test-");
  fs::create_directory(tmp.path() / "cbuild-test-not-ours"); // no lock file: left alone
  REQUIRE(entries_with_prefix(tmp.path(), "cbuild-test-").size() == 3);

  CHECK(remove_stale_scratch_dirs("cbuild-test-") == 0); // both owners alive
  ::kill(owner, SIGKILL);
  ::waitpid(owner, nullptr, 0);
  CHECK(remove_stale_scratch_dirs("cbuild-test-") == 1);
  auto left = entries_with_prefix(tmp.path(), "cbuild-test-");
  CHECK(left.size() == 2);
  CHECK(fs::exists(mine.path()));
  CHECK(fs::exists(tmp.path() / "cbuild-test-not-ours"));
  CHECK(entries_with_prefix(tmp.path(), ".cbuild-test-").empty());
}

TEST_CASE("hidden scratch dir of an owner killed before its rename is swept after a minute",
          "[sandbox]") {
  PrivateTmpdir tmp;
  auto make_hidden = [&](const std::string& name, bool with_lock_file, bool old) {
    fs::path dir = tmp.path() / name;
    fs::create_directory(dir);
    if (with_lock_file) {
      std::ofstream(dir / ".cbuild-owner.lock").put('x');
    }
    if (old) {
      const timespec times[2] = {{::time(nullptr) - 120, 0}, {::time(nullptr) - 120, 0}};
      REQUIRE(::utimensat(AT_FDCWD, dir.c_str(), times, AT_SYMLINK_NOFOLLOW) == 0);
    }
    return dir;
  };
  fs::path no_lock = make_hidden(".cbuild-test-aaaaaa", false, true);
  fs::path unlocked = make_hidden(".cbuild-test-bbbbbb", true, true);
  fs::path fresh = make_hidden(".cbuild-test-cccccc", false, false); // an owner mid-creation
  fs::path held = make_hidden(".cbuild-test-dddddd", true, true);
  int fd = ::open((held / ".cbuild-owner.lock").c_str(), O_RDWR | O_CLOEXEC);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX) == 0); // a live owner (another open file description)

  CHECK(remove_stale_scratch_dirs("cbuild-test-") == 2);
  CHECK_FALSE(fs::exists(no_lock));
  CHECK_FALSE(fs::exists(unlocked));
  CHECK(fs::exists(fresh));
  CHECK(fs::exists(held));
  ::close(fd);
}

TEST_CASE("sandbox killed with its owner: the next sweep removes its run dir", "[sandbox][root]") {
  SANDBOX_PRECONDITION();
  BusyboxRootfs rootfs;
  PrivateTmpdir tmp;
  core::TempDir scratch;
  pid_t owner = ::fork();
  REQUIRE(owner >= 0);
  if (owner == 0) {
    try {
      builder::sandbox::run_sandbox(shell_spec(rootfs, scratch, "sleep 31342"));
    } catch (...) {
    }
    ::_exit(0);
  }
  REQUIRE(wait_until([] { return process_running("sleep 31342"); }));
  auto run_dirs = entries_with_prefix(tmp.path(), "cbuild-sandbox-");
  REQUIRE(run_dirs.size() == 1);
  CHECK(remove_stale_scratch_dirs("cbuild-sandbox-") == 0); // its owner is alive
  ::kill(owner, SIGKILL);
  ::waitpid(owner, nullptr, 0);
  CHECK(wait_until([] { return !process_running("sleep 31342"); }));
  CHECK(fs::exists(run_dirs[0]));                           // what SIGKILL leaves behind...
  CHECK(remove_stale_scratch_dirs("cbuild-sandbox-") == 1); // ...until the next run
  CHECK_FALSE(fs::exists(run_dirs[0]));
  CHECK_FALSE(mounted_under(run_dirs[0]));
  CHECK_FALSE(mounted_under(scratch.path()));
}

TEST_CASE("sandbox run dirs are gone once the finished sandboxes are waited for",
          "[sandbox][root]") {
  SANDBOX_PRECONDITION();
  BusyboxRootfs rootfs;
  PrivateTmpdir tmp;
  core::TempDir scratch;
  auto result = builder::sandbox::run_sandbox(shell_spec(rootfs, scratch, "true"));
  CHECK(result.exit_code == 0);
  wait_for_finished_sandboxes();
  CHECK(entries_with_prefix(tmp.path(), "cbuild-sandbox-").empty());
}
