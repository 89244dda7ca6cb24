#pragma once

#include <optional>
#include <string>
#include <vector>

namespace builder::sandbox {

/// The parts of an OCI image config (`config` object) that decide what runs.
/// The local image store fills it from config.json; `--rootfs` uses defaults.
struct ImageRunConfig {
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> env; ///< "KEY=value"
  std::string working_dir;
  std::string user;
};

/// What `cbuild run` was given on the command line.
struct RunOverrides {
  std::optional<std::string> entrypoint; ///< --entrypoint; "" clears the image's
  std::vector<std::string> cmd;          ///< arguments after IMAGE
  std::vector<std::string> env;          ///< -e KEY=value, or -e KEY (taken from our env)
  std::optional<std::string> working_dir;
  std::optional<std::string> user;
};

/// The process to start, after Docker's merge rules.
struct ProcessConfig {
  std::vector<std::string> argv;
  std::vector<std::string> env;
  std::string cwd = "/";
  std::string user;
};

/// Docker's rules: --entrypoint replaces the image's ENTRYPOINT and drops its
/// CMD; arguments replace CMD; argv = entrypoint + cmd. Environment: the
/// image's, then -e (later keys win), PATH defaulted when absent. Throws
/// core::InputError when nothing is left to run.
ProcessConfig resolve_process(const ImageRunConfig& image, const RunOverrides& overrides);

} // namespace builder::sandbox
