#pragma once

#include "builder/sandbox/sandbox_spec.h"

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace builder {

/// One RUN step to execute: a command over read-only lower dirs whose
/// changes must land in `upper_dir`.
struct RunRequest {
  std::vector<std::filesystem::path> lower_dirs; ///< topmost first; never empty
  std::filesystem::path upper_dir;               ///< empty; receives every change
  std::filesystem::path work_dir;                ///< overlay workdir, same file system
  std::vector<std::string> argv;
  std::vector<std::string> env; ///< "KEY=value"
  std::string cwd = "/";
  std::string user;                       ///< USER of the stage ("" = root)
  bool network_none = false;              ///< RUN --network=none
  bool insecure = false;                  ///< RUN --security=insecure: all capabilities, no seccomp
  std::vector<sandbox::MountSpec> mounts; ///< RUN --mount, host sides prepared
  /// Receives the command's output (stdout and stderr merged) as it comes.
  std::function<void(std::string_view)> on_output;
};

/// How the command ended.
struct RunOutcome {
  int status = 0;          ///< exit code, or 128 + signal
  std::string description; ///< "exited with code 3", "killed by signal 9 (Killed)"
};

/// Executes RUN steps. The executor only sees this interface, so unit tests
/// use a fake that edits the upper dir directly.
class StepRunner {
public:
  virtual ~StepRunner() = default;
  virtual RunOutcome run(const RunRequest& request) = 0;
};

/// Runs each step in builder::sandbox (namespaces, overlay root, Docker's
/// default capabilities and seccomp profile).
class SandboxStepRunner : public StepRunner {
public:
  RunOutcome run(const RunRequest& request) override;
};

} // namespace builder
