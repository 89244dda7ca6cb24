#include "builder/build_lock.h"

#include "core/error.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

namespace builder {

namespace fs = std::filesystem;

namespace {

core::UniqueFd open_lock(const fs::path& root) {
  fs::path path = root / "build.lock";
  core::UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd) {
    core::throw_errno("open build lock", path.string());
  }
  return fd;
}

int flock_op(BuildLock::Mode mode) {
  return mode == BuildLock::Mode::shared ? LOCK_SH : LOCK_EX;
}

/// flock, retried on EINTR; false on EWOULDBLOCK (with LOCK_NB).
bool lock_fd(int fd, int op, const fs::path& root) {
  while (::flock(fd, op) != 0) {
    if (errno == EWOULDBLOCK) {
      return false;
    }
    if (errno != EINTR) {
      core::throw_errno("lock", (root / "build.lock").string());
    }
  }
  return true;
}

/// True for `.<name>.tmp-XXXXXX`, the temp name of core::write_file_atomic.
bool is_atomic_temp(const std::string& name) {
  return name.starts_with(".") && name.find(".tmp-") != std::string::npos;
}

} // namespace

BuildLock BuildLock::acquire(const fs::path& root, Mode mode,
                             const std::function<void()>& on_wait) {
  core::UniqueFd fd = open_lock(root);
  if (!lock_fd(fd.get(), flock_op(mode) | LOCK_NB, root)) {
    if (on_wait) {
      on_wait();
    }
    lock_fd(fd.get(), flock_op(mode), root);
  }
  return BuildLock(std::move(fd), mode);
}

std::optional<BuildLock> BuildLock::try_acquire(const fs::path& root, Mode mode) {
  core::UniqueFd fd = open_lock(root);
  if (!lock_fd(fd.get(), flock_op(mode) | LOCK_NB, root)) {
    return std::nullopt;
  }
  return BuildLock(std::move(fd), mode);
}

void BuildLock::downgrade() {
  if (m_mode == Mode::exclusive) {
    lock_fd(m_fd.get(), LOCK_SH, {});
    m_mode = Mode::shared;
  }
}

size_t remove_crash_leftovers(const fs::path& root) {
  size_t removed = 0;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(root / "snapshots" / ".tmp", ec)) {
    fs::remove_all(e.path(), ec);
    removed += ec ? 0 : 1;
  }
  for (const char* sub : {"cache/steps", "cache/builds", "cache/context"}) {
    for (const fs::directory_entry& e : fs::directory_iterator(root / sub, ec)) {
      if (is_atomic_temp(e.path().filename().string())) {
        removed += fs::remove(e.path(), ec) ? 1 : 0;
      }
    }
  }
  return removed;
}

BuildLock lock_for_build(const fs::path& root, const std::function<void()>& on_wait) {
  if (std::optional<BuildLock> alone = BuildLock::try_acquire(root, BuildLock::Mode::exclusive)) {
    remove_crash_leftovers(root);
    alone->downgrade();
    return std::move(*alone);
  }
  return BuildLock::acquire(root, BuildLock::Mode::shared, on_wait);
}

} // namespace builder
