#include "builder/cache_mounts.h"

#include "core/digest.h"
#include "core/error.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

namespace builder {

namespace fs = std::filesystem;

fs::path cache_mounts_root(const fs::path& store_root) {
  return store_root / "cache-mounts";
}

fs::path cache_mount_dir(const fs::path& cache_root, const std::string& id) {
  return cache_root / std::string(core::sha256_of(id).hex());
}

CacheSharing parse_cache_sharing(const std::string& text) {
  if (text == "private") {
    return CacheSharing::priv;
  }
  if (text == "locked") {
    return CacheSharing::locked;
  }
  return CacheSharing::shared;
}

std::optional<core::UniqueFd> lock_cache_dir(const fs::path& dir, CacheSharing sharing) {
  core::UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) {
    core::throw_errno("open cache mount", dir.string());
  }
  int operation = sharing == CacheSharing::shared ? LOCK_SH : LOCK_EX;
  if (sharing == CacheSharing::priv) {
    operation |= LOCK_NB;
  }
  while (::flock(fd.get(), operation) != 0) {
    if (errno == EWOULDBLOCK && sharing == CacheSharing::priv) {
      return std::nullopt;
    }
    if (errno != EINTR) {
      core::throw_errno("lock cache mount", dir.string());
    }
  }
  return fd;
}

} // namespace builder
