#include "builder/sandbox/teardown.h"

#include "builder/sandbox/sandbox.h"
#include "builder/sandbox/setup_plan.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <vector>

namespace builder::sandbox {
namespace {

struct Finishing {
  pid_t init = 0;
  std::unique_ptr<RunDir> run_dir;
};

std::mutex g_mutex;
std::vector<Finishing> g_finishing;

// Everything above 2 is closed but `keep` (the helper must not hold the
// caller's pipes open, or `out=$(cbuild run ...)` would wait for it), and
// 0-2 become /dev/null.
void detach_descriptors(std::vector<int> keep) {
  std::sort(keep.begin(), keep.end());
  close_descriptors_except(keep.data(), keep.size());
  int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  for (int i = 0; i < 3 && null >= 0; ++i) {
    ::dup2(null, i);
  }
}

// In the helper: waits (at most 30 s) until every pidfd says its process exited.
void wait_for_exits(const std::vector<int>& pidfds) {
  std::vector<pollfd> fds;
  for (int fd : pidfds) {
    fds.push_back({fd, POLLIN, 0});
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::any_of(fds.begin(), fds.end(), [](const pollfd& p) { return p.fd >= 0; }) &&
         std::chrono::steady_clock::now() < deadline) {
    if (::poll(fds.data(), fds.size(), 1000) < 0) {
      continue;
    }
    for (auto& p : fds) {
      if (p.revents != 0) {
        p.fd = -1; // exited (or the pidfd went bad: nothing more to wait for)
      }
    }
  }
}

} // namespace

void finish_later(pid_t init, std::unique_ptr<RunDir> run_dir) {
  if (::waitpid(init, nullptr, WNOHANG) != 0) {
    return; // already gone: run_dir is removed right here
  }
  std::lock_guard lock(g_mutex);
  g_finishing.push_back({init, std::move(run_dir)});
}

void reap_finished_inits() {
  std::vector<Finishing> done;
  {
    std::lock_guard lock(g_mutex);
    auto finished =
        std::stable_partition(g_finishing.begin(), g_finishing.end(), [](const Finishing& f) {
          return ::waitpid(f.init, nullptr, WNOHANG) == 0;
        });
    std::move(finished, g_finishing.end(), std::back_inserter(done));
    g_finishing.erase(finished, g_finishing.end());
  }
  // `done` goes out of scope here: their run dirs are removed outside the lock.
}

void wait_for_finished_sandboxes() {
  std::vector<Finishing> all;
  {
    std::lock_guard lock(g_mutex);
    all.swap(g_finishing);
  }
  for (const auto& f : all) {
    ::waitpid(f.init, nullptr, 0);
  }
  // `all` goes out of scope: the run dirs are removed, quickly now.
}

void finish_sandboxes_in_background(std::unique_ptr<ScratchDir> extra) {
  reap_finished_inits();
  std::vector<Finishing> all;
  {
    std::lock_guard lock(g_mutex);
    all.swap(g_finishing);
  }
  if (all.empty()) {
    return; // `extra` is removed now: nothing holds it any more
  }
  std::vector<int> keep;
  for (const auto& f : all) {
    keep.push_back(static_cast<int>(::syscall(SYS_pidfd_open, f.init, 0)));
  }
  std::vector<int> pidfds = keep;
  keep.erase(std::remove(keep.begin(), keep.end(), -1), keep.end());
  for (const auto& f : all) {
    keep.push_back(f.run_dir->lock_fd());
  }
  if (extra) {
    keep.push_back(extra->lock_fd());
  }
  pid_t helper = ::fork();
  if (helper == 0) {
    // The helper inherited the directories' locks: they stay held until it
    // has removed them, so no sweep can see them unowned meanwhile.
    ::setsid();
    detach_descriptors(keep);
    wait_for_exits(pidfds);
    all.clear();
    extra.reset();
    ::_exit(0);
  }
  for (int fd : pidfds) {
    if (fd >= 0) {
      ::close(fd);
    }
  }
  if (helper < 0) {
    for (const auto& f : all) {
      ::waitpid(f.init, nullptr, 0); // then `all` and `extra` are removed here
    }
    return;
  }
  for (auto& f : all) {
    f.run_dir->release(); // the helper removes it
  }
  if (extra) {
    extra->release();
  }
}

} // namespace builder::sandbox
