#pragma once

#include "core/unique_fd.h"

#include <filesystem>
#include <functional>
#include <optional>

namespace builder {

/// The global build lock `<store root>/build.lock` (flock): builds hold it
/// shared, so any number run at once; prune and rmi's blob cleanup hold it
/// exclusive, so they never delete what a running build is writing. The
/// kernel drops it when the holder dies, SIGKILL included.
class BuildLock {
public:
  enum class Mode { shared, exclusive };

  /// Blocks until the lock is held in `mode`. `on_wait` is called once
  /// before blocking when another process holds a conflicting lock.
  static BuildLock acquire(const std::filesystem::path& root, Mode mode,
                           const std::function<void()>& on_wait = {});

  /// Tries once; nullopt when another process holds a conflicting lock.
  static std::optional<BuildLock> try_acquire(const std::filesystem::path& root, Mode mode);

  /// Exclusive -> shared, letting other builds in.
  void downgrade();

  Mode mode() const noexcept { return m_mode; }

private:
  BuildLock(core::UniqueFd fd, Mode mode) : m_fd(std::move(fd)), m_mode(mode) {}
  core::UniqueFd m_fd;
  Mode m_mode;
};

/// Removes what a killed build can leave behind: directories under
/// `snapshots/.tmp/` (extractions, RUN upper/work dirs, COPY trees) and the
/// temp files of atomic writes under `cache/`. Only safe while holding the
/// build lock exclusively. Returns the number of entries removed.
size_t remove_crash_leftovers(const std::filesystem::path& root);

/// The lock a build takes: exclusive first when nobody else builds, to
/// clean up after a killed build, then shared for the build itself.
BuildLock lock_for_build(const std::filesystem::path& root, const std::function<void()>& on_wait);

} // namespace builder
