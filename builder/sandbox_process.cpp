#include "builder/sandbox_process.h"

#include "core/error.h"
#include "core/unique_fd.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <exception>
#include <string>
#include <utility>

namespace builder {

namespace {

/// A pipe as (read end, write end), both close-on-exec.
std::pair<core::UniqueFd, core::UniqueFd> pipe_pair(const char* what) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    core::throw_errno("create pipe for", what);
  }
  return {core::UniqueFd(fds[0]), core::UniqueFd(fds[1])};
}

void write_all(int fd, const std::string& text) {
  for (size_t done = 0; done < text.size();) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return;
    }
    done += static_cast<size_t>(n);
  }
}

/// The forked child: runs the sandbox and reports how it went on `report`
/// ("ok EXIT SIGNAL OOM LIMIT" or "error MESSAGE"). Never returns.
[[noreturn]] void child_main(const sandbox::SandboxSpec& spec, int out_fd, int report,
                             pid_t parent) {
  // Die with the build (it may be SIGKILLed): no orphan keeps running the
  // step, or holding the build lock this process inherited.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) {
    ::_exit(127);
  }
  // Only the two pipes go on: an inherited descriptor of the build lock
  // would keep it held by the sandbox's processes after a killed build.
  int low = std::min(out_fd, report);
  int high = std::max(out_fd, report);
  ::close_range(3, static_cast<unsigned>(low - 1), 0);
  ::close_range(static_cast<unsigned>(low + 1), static_cast<unsigned>(high - 1), 0);
  ::close_range(static_cast<unsigned>(high + 1), ~0u, 0);
  std::string text;
  try {
    core::UniqueFd null_in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    sandbox::SandboxResult r = sandbox::run_sandbox(
        spec, {.in_fd = null_in.get(), .out_fd = out_fd, .err_fd = out_fd, .interactive = false});
    text = "ok " + std::to_string(r.exit_code) + " " + std::to_string(r.signal) + " " +
           (r.out_of_memory ? "1 " : "0 ") + std::to_string(r.memory_limit.value_or(-1));
  } catch (const std::exception& e) {
    text = std::string("error ") + e.what();
  }
  write_all(report, text);
  ::_exit(0);
}

sandbox::SandboxResult parse_report(const std::string& text, int wait_status) {
  if (text.starts_with("error ")) {
    throw core::Error(text.substr(6));
  }
  sandbox::SandboxResult r;
  int oom = 0;
  long long limit = -1;
  if (std::sscanf(text.c_str(), "ok %d %d %d %lld", &r.exit_code, &r.signal, &oom, &limit) != 4) {
    throw core::Error("sandbox runner process ended without a result (wait status " +
                      std::to_string(wait_status) + ")");
  }
  r.out_of_memory = oom != 0;
  if (limit >= 0) {
    r.memory_limit = limit;
  }
  return r;
}

/// Blocks the forwarded signals in this thread and receives them through
/// a signalfd while the child runs.
class SignalRelay {
public:
  SignalRelay() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) {
      sigaddset(&set, sig);
    }
    ::pthread_sigmask(SIG_BLOCK, &set, &m_old);
    m_fd.reset(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  }
  ~SignalRelay() { ::pthread_sigmask(SIG_SETMASK, &m_old, nullptr); }
  SignalRelay(const SignalRelay&) = delete;
  SignalRelay& operator=(const SignalRelay&) = delete;

  int fd() const { return m_fd.get(); }

  /// Forwards signals sent with kill(2); a terminal's signals reach the
  /// child's process group on their own.
  void forward(pid_t child) const {
    signalfd_siginfo info{};
    while (::read(m_fd.get(), &info, sizeof info) == sizeof info) {
      if (info.ssi_code == SI_USER || info.ssi_code == SI_QUEUE) {
        ::kill(child, static_cast<int>(info.ssi_signo));
      }
    }
  }

private:
  sigset_t m_old;
  core::UniqueFd m_fd;
};

/// Reads `out` until EOF, passing data on, forwarding signals meanwhile.
void pump(int out, const SignalRelay& relay, pid_t child,
          const std::function<void(std::string_view)>& on_output) {
  char buffer[16384];
  for (;;) {
    pollfd fds[2] = {{out, POLLIN, 0}, {relay.fd(), POLLIN, 0}};
    if (::poll(fds, relay.fd() >= 0 ? 2 : 1, -1) < 0) {
      if (errno == EINTR) {
        continue;
      }
      core::throw_errno("poll", "sandbox output");
    }
    if (fds[1].revents & POLLIN) {
      relay.forward(child);
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = ::read(out, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n <= 0) {
        return;
      }
      if (on_output) {
        on_output(std::string_view(buffer, static_cast<size_t>(n)));
      }
    }
  }
}

} // namespace

sandbox::SandboxResult
run_sandbox_streaming(const sandbox::SandboxSpec& spec,
                      const std::function<void(std::string_view)>& on_output) {
  auto [output_read, output_write] = pipe_pair("sandbox output");
  auto [report_read, report_write] = pipe_pair("sandbox result");
  SignalRelay relay;
  pid_t parent = ::getpid();
  pid_t child = ::fork();
  if (child < 0) {
    core::throw_errno("fork", "sandbox runner");
  }
  if (child == 0) {
    child_main(spec, output_write.get(), report_write.get(), parent);
  }
  output_write.reset();
  report_write.reset();
  std::string text;
  try {
    pump(output_read.get(), relay, child, on_output);
  } catch (...) {
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    throw;
  }
  char buffer[4096];
  for (ssize_t n; (n = ::read(report_read.get(), buffer, sizeof buffer)) != 0;) {
    if (n < 0 && errno != EINTR) {
      break;
    }
    text.append(buffer, static_cast<size_t>(std::max<ssize_t>(n, 0)));
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  return parse_report(text, status);
}

} // namespace builder
