#pragma once

#include "builder/sandbox/sandbox_spec.h"

#include "builder/sandbox/scratch_dir.h"

#include <filesystem>
#include <string>

namespace builder::sandbox {

/// The per-run scratch directory of the parent, `$TMPDIR/cbuild-sandbox-XXXXXX`:
///   merged/     where the root is assembled (inside the child's mount namespace)
///   etc/        hosts, hostname, resolv.conf: bind-mounted, never part of a layer
///   mountpoints/ a tiny top lower layer giving /etc/hosts & co. and /proc,
///               /sys, /dev a mountpoint, so that nothing lands in the upper dir
class RunDir {
public:
  /// Creates the directory and its files for `spec`. Throws core::Error.
  explicit RunDir(const SandboxSpec& spec);

  const std::filesystem::path& path() const { return m_dir.path(); }
  std::filesystem::path merged() const { return path() / "merged"; }
  std::filesystem::path etc() const { return path() / "etc"; }

  /// The overlay lowerdir= value (mountpoint layer first), empty without overlay.
  const std::string& overlay_lower() const { return m_overlay_lower; }

  /// False when the rootfs's /etc is not a directory (then nothing is bound there).
  bool has_etc_dir() const { return m_has_etc; }

  /// See ScratchDir.
  int lock_fd() const { return m_dir.lock_fd(); }
  void release() { m_dir.release(); }

private:
  ScratchDir m_dir; ///< removed by a later run if this process is killed
  std::string m_overlay_lower;
  bool m_has_etc = true;
};

} // namespace builder::sandbox
