// run_sandbox from a multi-threaded process, and from several threads at once
// (the build engine runs parallel stages and streams RUN output from threads).
#include "sandbox_fixture.h"

#include "core/error.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace builder::sandbox;
using sandbox_test::BusyboxRootfs;
using sandbox_test::run_captured;
using sandbox_test::shell_spec;

namespace {

using Clock = std::chrono::steady_clock;

// Keeps malloc's arenas, the locale, stdio and glibc's thread-stack list busy:
// whatever lock a clone() copies while it is held stays held in the child.
void churn(const std::atomic<bool>& stop, FILE* sink) {
  while (!stop) {
    std::vector<std::string> words;
    for (int i = 0; i < 64; ++i) {
      words.push_back(std::string(static_cast<std::size_t>(16 + i * 7), 'x'));
    }
    std::ostringstream text;
    text << words.size() << ' ' << 3.25 << ' ' << words.back().size();
    std::fprintf(sink, "%s\n", text.str().c_str());
    std::thread([] { std::string(4096, 'y').swap(*new std::string); }).join();
  }
}

// Runs `rounds` sandboxes in each of `threads` threads while two other threads
// churn. Returns "" when every sandbox printed its own line and exited 0.
std::string stress(const BusyboxRootfs& rootfs, int threads, int rounds) {
  std::atomic<bool> stop{false};
  FILE* sink = std::fopen("/dev/null", "we");
  std::vector<std::thread> churners;
  for (int i = 0; i < 2; ++i) {
    churners.emplace_back(churn, std::cref(stop), sink);
  }
  std::vector<std::string> errors(static_cast<std::size_t>(threads));
  std::vector<std::thread> runners;
  for (int t = 0; t < threads; ++t) {
    runners.emplace_back([&, t] {
      for (int r = 0; r < rounds && errors[static_cast<std::size_t>(t)].empty(); ++r) {
        std::string word = "t" + std::to_string(t) + "r" + std::to_string(r);
        try {
          core::TempDir scratch;
          auto spec = shell_spec(rootfs, scratch, "echo " + word);
          spec.user = "app"; // setgroups/setresuid: glibc's setxid takes locks
          auto captured = run_captured(spec);
          if (captured.out != word + "\n" || captured.result.exit_code != 0) {
            errors[static_cast<std::size_t>(t)] =
                word + ": " + captured.result.describe() + ", output '" + captured.out + "'";
          }
        } catch (const std::exception& e) {
          errors[static_cast<std::size_t>(t)] = word + ": " + e.what();
        }
      }
    });
  }
  for (auto& runner : runners) {
    runner.join();
  }
  stop = true;
  for (auto& churner : churners) {
    churner.join();
  }
  std::fclose(sink);
  wait_for_finished_sandboxes(); // this process ends with _exit: remove the run dirs now
  std::string all;
  for (const auto& error : errors) {
    all += error.empty() ? "" : error + "\n";
  }
  return all;
}

// Runs `body` in a forked process and waits at most `limit`; a hang is
// killed (the sandboxes die with it: PR_SET_PDEATHSIG) and reported.
std::string run_bounded(const std::function<std::string()>& body, std::chrono::seconds limit) {
  int fds[2];
  REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    std::string message = body();
    [[maybe_unused]] ssize_t n = ::write(fds[1], message.data(), message.size());
    ::_exit(message.empty() ? 0 : 1);
  }
  ::close(fds[1]);
  auto deadline = Clock::now() + limit;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (Clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      ::close(fds[0]);
      return "hung: no result after " + std::to_string(limit.count()) + " s";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::string message;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) {
    message.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  if (!WIFEXITED(status)) {
    message += "stress process killed by signal " + std::to_string(WTERMSIG(status));
  }
  return message;
}

} // namespace

TEST_CASE("sandbox starts from 4 threads at once while other threads allocate",
          "[sandbox][root][threads]") {
  SANDBOX_PRECONDITION();
  BusyboxRootfs rootfs;
  // 4 x 15 starts, each cloned while two threads hold malloc/stdio/locale and
  // thread-list locks part of the time. Before the child used only raw system
  // calls, all four runners were stuck in a futex (glibc's setxid) within 40 s.
  std::string failure =
      run_bounded([&] { return stress(rootfs, 4, 15); }, std::chrono::seconds(90));
  INFO(failure);
  CHECK(failure.empty());
}

TEST_CASE("sandbox PID 1 holds no descriptor of another thread's run", "[sandbox][root][threads]") {
  SANDBOX_PRECONDITION();
  BusyboxRootfs rootfs;
  // The output pipe of a short run exists while a long run's sandbox starts;
  // that sandbox must not keep the pipe open, or the short run's reader would
  // wait for the long run to end before seeing EOF.
  int out[2];
  REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
  core::TempDir long_scratch;
  std::thread long_run([&] {
    auto spec = shell_spec(rootfs, long_scratch, "sleep 3");
    run_captured(spec);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500)); // the long run started
  core::TempDir scratch;
  auto spec = shell_spec(rootfs, scratch, "echo short");
  SandboxIo io{0, out[1], out[1], false};
  auto result = run_sandbox(spec, io);
  ::close(out[1]);
  auto start = Clock::now();
  std::string text;
  char buffer[256];
  pollfd fd{out[0], POLLIN, 0};
  while (::poll(&fd, 1, 5000) > 0) {
    ssize_t n = ::read(out[0], buffer, sizeof buffer);
    if (n <= 0) {
      break;
    }
    text.append(buffer, static_cast<std::size_t>(n));
  }
  auto waited = Clock::now() - start;
  ::close(out[0]);
  long_run.join();
  CHECK(result.exit_code == 0);
  CHECK(text == "short\n");
  CHECK(waited < std::chrono::milliseconds(1500));
}
