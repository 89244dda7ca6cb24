#pragma once

#include "builder/sandbox/sandbox_spec.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace builder::sandbox {

class ScratchDir;

/// Where the sandboxed command's stdin/stdout/stderr go. With spec.tty, a new
/// pseudo-terminal is relayed to out_fd (and from in_fd when interactive).
struct SandboxIo {
  int in_fd = 0;
  int out_fd = 1;
  int err_fd = 2;
  bool interactive = true; ///< with a tty: relay in_fd to the terminal
};

/// How the command ended.
struct SandboxResult {
  int exit_code = 0;          ///< valid when signal == 0
  int signal = 0;             ///< the signal that killed the command, or 0
  bool out_of_memory = false; ///< the cgroup's OOM killer fired
  std::optional<std::int64_t> memory_limit;

  /// Docker's convention: the exit code, or 128 + signal.
  int status_code() const { return signal != 0 ? 128 + signal : exit_code; }

  /// "exited with code 3", "killed by signal 15 (Terminated)",
  /// "killed: out of memory (limit 256 MiB)".
  std::string describe() const;
};

/// Applies `spec` and runs its command to the end: clone into new namespaces,
/// set up the root and mounts, drop capabilities, load seccomp, exec; PID 1 of
/// the sandbox reaps zombies and forwards signals. SIGINT/SIGTERM/SIGHUP/SIGQUIT
/// received meanwhile are forwarded (a second SIGINT/SIGTERM kills the
/// sandbox). When it returns, every process, mount and cgroup of the sandbox
/// is gone; the upper dir keeps the changes.
///
/// Safe to call from a multi-threaded process and from several threads at
/// once; a signal received by any of the calling threads goes to every
/// running sandbox of the process.
///
/// Throws core::Error if the sandbox cannot be set up, with the failing step:
/// "sandbox: mount proc on /proc: Permission denied". A command that runs
/// and fails is a result, not an error.
SandboxResult run_sandbox(const SandboxSpec& spec, const SandboxIo& io = {});

/// run_sandbox() returns once the command and every other process of the
/// sandbox are gone, while the kernel may still be tearing down the
/// namespaces of its PID 1 (tens of ms on a busy machine); its run directory
/// is removed after that, by the next run_sandbox() or by one of these.
/// Blocks until they are all gone and removes their run directories.
void wait_for_finished_sandboxes();

/// For a process about to exit (`cbuild run`): forks a helper that waits for
/// them, then removes their run directories and `extra` (the overlay's upper
/// dir lives there), and returns at once. Without a pending sandbox, `extra`
/// is removed right away. The helper holds the directories' locks, closes
/// every other descriptor, and is in its own session.
void finish_sandboxes_in_background(std::unique_ptr<ScratchDir> extra);

} // namespace builder::sandbox
