#pragma once

#include "core/unique_fd.h"

#include <filesystem>
#include <string>

namespace core {

/// An exclusive advisory lock (flock) on a lock file, held for the object's
/// lifetime. The kernel drops it when the process dies, so a SIGKILL never
/// leaves a stale lock behind.
class FileLock {
public:
  /// Creates `path` if needed and blocks until the lock is ours.
  explicit FileLock(const std::filesystem::path& path);

  /// Tries once; returns an unlocked object (operator bool false) when another
  /// process holds the lock.
  static FileLock try_lock(const std::filesystem::path& path);

  explicit operator bool() const noexcept { return static_cast<bool>(m_fd); }

private:
  FileLock() = default;
  UniqueFd m_fd;
};

} // namespace core
