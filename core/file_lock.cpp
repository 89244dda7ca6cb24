#include "core/file_lock.h"

#include "core/error.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace core {

namespace {

UniqueFd open_lock_file(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw_errno("open lock file", path.string());
  }
  return UniqueFd(fd);
}

} // namespace

FileLock::FileLock(const std::filesystem::path& path) : m_fd(open_lock_file(path)) {
  while (::flock(m_fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) {
      throw_errno("lock", path.string());
    }
  }
}

FileLock FileLock::try_lock(const std::filesystem::path& path) {
  FileLock lock;
  UniqueFd fd = open_lock_file(path);
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) {
    lock.m_fd = std::move(fd);
  } else if (errno != EWOULDBLOCK) {
    throw_errno("lock", path.string());
  }
  return lock;
}

} // namespace core
