#include "builder/sandbox/scratch_dir.h"

#include "core/error.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <system_error>

namespace builder::sandbox {
namespace fs = std::filesystem;
namespace {

constexpr const char* k_lock_name = ".cbuild-owner.lock";
constexpr time_t k_hidden_grace_seconds = 60;

fs::path temp_base() {
  const char* tmp = std::getenv("TMPDIR");
  return (tmp && *tmp) ? fs::path(tmp) : fs::path("/tmp");
}

// Gives the owner back the right to list and empty every directory below.
void make_writable(const fs::path& dir) {
  ::chmod(dir.c_str(), 0700);
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) {
      make_writable(it->path());
    }
  }
}

} // namespace

void remove_tree(const fs::path& dir) {
  std::error_code ec;
  if (fs::remove_all(dir, ec) == static_cast<std::uintmax_t>(-1) || ec) {
    make_writable(dir);
    fs::remove_all(dir, ec);
  }
}

ScratchDir::ScratchDir(const char* prefix) {
  const fs::path base = temp_base();
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string hidden = (base / ("." + std::string(prefix))).string() + "XXXXXX";
    if (::mkdtemp(hidden.data()) == nullptr) {
      core::throw_errno("create temporary directory", hidden);
    }
    fs::path lock_file = fs::path(hidden) / k_lock_name;
    core::UniqueFd lock(
        ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!lock || ::flock(lock.get(), LOCK_EX) != 0) {
      int err = errno;
      remove_tree(hidden);
      core::throw_errno("lock", lock_file.string(), err);
    }
    fs::path visible = base / (prefix + hidden.substr(hidden.size() - 6));
    if (::renameat2(AT_FDCWD, hidden.c_str(), AT_FDCWD, visible.c_str(), RENAME_NOREPLACE) == 0) {
      m_path = visible;
      m_lock = std::move(lock);
      return;
    }
    int err = errno;
    remove_tree(hidden);
    if (err != EEXIST) {
      core::throw_errno("rename temporary directory to", visible.string(), err);
    }
  }
  throw core::Error("create temporary directory: no free name for " + (base / prefix).string());
}

ScratchDir::~ScratchDir() {
  if (!m_path.empty()) {
    remove_tree(m_path); // still locked: a sweep cannot interleave
  }
}

void ScratchDir::release() {
  m_path.clear();
  m_lock.reset();
}

int remove_stale_scratch_dirs(const char* prefix) {
  const fs::path base = temp_base();
  const std::string visible_prefix = prefix;
  const std::string hidden_prefix = "." + visible_prefix;
  DIR* dir = ::opendir(base.c_str());
  if (dir == nullptr) {
    return 0;
  }
  const time_t now = ::time(nullptr);
  int removed = 0;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string_view name = entry->d_name;
    const bool hidden = name.starts_with(hidden_prefix);
    if (!hidden && !name.starts_with(visible_prefix)) {
      continue;
    }
    fs::path path = base / entry->d_name;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid()) {
      continue;
    }
    if (hidden) {
      // A hidden name is a ScratchDir whose owner died between mkdtemp and
      // the rename, which takes microseconds: one older than a minute with no
      // locked lock file inside has no owner any more.
      if (now - st.st_mtime < k_hidden_grace_seconds) {
        continue;
      }
      core::UniqueFd fd(::open((path / k_lock_name).c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC));
      if (fd && ::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
        continue;
      }
      if (!fd && errno != ENOENT) {
        continue;
      }
      remove_tree(path);
      ++removed;
      continue;
    }
    // Only a directory made by ScratchDir has the lock file; others are not ours.
    core::UniqueFd fd(::open((path / k_lock_name).c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) {
      continue;
    }
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) {
      remove_tree(path); // its owner is gone; we hold the lock while removing
      ++removed;
    }
  }
  ::closedir(dir);
  return removed;
}

} // namespace builder::sandbox
