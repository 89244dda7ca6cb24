#pragma once

#include "core/unique_fd.h"

#include <filesystem>

namespace builder::sandbox {

/// A directory `$TMPDIR/<prefix>XXXXXX` (default /tmp) that belongs to this
/// process for as long as the object lives: it holds an flock on the file
/// `.cbuild-owner.lock` inside and removes the directory on destruction. If
/// the process is SIGKILLed the kernel drops the lock, and
/// remove_stale_scratch_dirs() of a later run removes the directory. It is
/// made under a hidden name (`.<prefix>XXXXXX`), locked, then renamed, so
/// that a sweep never sees it unlocked.
class ScratchDir {
public:
  /// Throws core::Error naming the directory when it cannot be created.
  explicit ScratchDir(const char* prefix);
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir();

  const std::filesystem::path& path() const { return m_path; }

  /// The descriptor holding the lock (a forked helper inherits the lock with it).
  int lock_fd() const { return m_lock.get(); }

  /// Forgets the directory without removing it and closes this process's
  /// descriptor of the lock (held on by a helper that inherited it).
  void release();

private:
  std::filesystem::path m_path;
  core::UniqueFd m_lock; ///< the directory itself, flock(LOCK_EX) held
};

/// Removes the `<prefix>*` directories in $TMPDIR that belong to this user,
/// were made by ScratchDir, and whose owner is gone (nobody holds their lock),
/// and the hidden `.<prefix>*` ones of an owner killed before it could rename
/// (over a minute old, lock file missing or unlocked). Returns how many it removed.
int remove_stale_scratch_dirs(const char* prefix);

/// remove_all that also gets through directories left without permissions
/// (overlayfs leaves `work/work` as mode 000). Never throws.
void remove_tree(const std::filesystem::path& dir);

} // namespace builder::sandbox
