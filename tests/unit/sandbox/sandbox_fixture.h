#pragma once

#include "builder/sandbox/sandbox.h"

#include "core/temp_dir.h"

#include <filesystem>
#include <string>

namespace sandbox_test {

/// True when this process can create namespaces and mount (root with
/// CAP_SYS_ADMIN, busybox-static present). Otherwise the caller WARNs and returns.
bool can_run_sandbox(std::string& reason);

/// A busybox root filesystem in a temporary directory: /bin/busybox with its
/// applet symlinks, /etc/passwd and /etc/group (root, nobody, app user 1000).
class BusyboxRootfs {
public:
  BusyboxRootfs();
  const std::filesystem::path& path() const { return m_dir.path(); }

private:
  core::TempDir m_dir;
};

/// Output and result of one sandboxed command.
struct Captured {
  builder::sandbox::SandboxResult result;
  std::string out; ///< stdout and stderr, interleaved
};

/// A spec with Docker's defaults over `rootfs` (overlay, upper in `scratch`),
/// running `sh -c script`.
builder::sandbox::SandboxSpec shell_spec(const BusyboxRootfs& rootfs, const core::TempDir& scratch,
                                         const std::string& script);

/// Runs the spec with stdout/stderr captured.
Captured run_captured(const builder::sandbox::SandboxSpec& spec);

/// The host's /proc/self/status value of `key` ("CapBnd").
std::string host_status(const std::string& key);

} // namespace sandbox_test

#define SANDBOX_PRECONDITION()                                                                     \
  do {                                                                                             \
    std::string skip_reason;                                                                       \
    if (!sandbox_test::can_run_sandbox(skip_reason)) {                                             \
      WARN("SKIPPED: " << skip_reason);                                                            \
      return;                                                                                      \
    }                                                                                              \
  } while (false)
