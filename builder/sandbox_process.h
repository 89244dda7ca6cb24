#pragma once

#include "builder/sandbox/sandbox.h"

#include <functional>
#include <string_view>

namespace builder {

/// Runs sandbox::run_sandbox(spec) in a forked child process with the
/// command's stdout and stderr on a pipe that the calling thread reads,
/// passing the output to `on_output` as it comes (streaming, no threads).
/// The fork gives run_sandbox a single-threaded process to clone from, so
/// it is safe while other threads of this process run. SIGINT, SIGTERM,
/// SIGHUP and SIGQUIT sent to this process with kill(2) are forwarded to
/// the child (a terminal's Ctrl-C reaches it directly). Throws core::Error
/// when the sandbox cannot be set up, with run_sandbox's message.
sandbox::SandboxResult
run_sandbox_streaming(const sandbox::SandboxSpec& spec,
                      const std::function<void(std::string_view)>& on_output);

} // namespace builder
