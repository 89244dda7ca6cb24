#pragma once

#include "core/unique_fd.h"

#include <filesystem>
#include <optional>
#include <string>

namespace builder {

/// Where RUN --mount=type=cache keeps its directories: `<store root>/cache-mounts/`.
/// Each cache id owns `<64-hex sha256 of the id>/`, created on first use and
/// never part of a layer. `cbuild prune --cache-mounts` empties this folder
/// under the global build lock.
std::filesystem::path cache_mounts_root(const std::filesystem::path& store_root);

/// The directory of cache `id` under `cache_root` (see cache_mounts_root()).
std::filesystem::path cache_mount_dir(const std::filesystem::path& cache_root,
                                      const std::string& id);

/// How concurrent RUNs share one cache (BuildKit's `sharing=`).
enum class CacheSharing {
  shared, ///< any number at once (a shared flock, so `locked` users wait)
  priv,   ///< exclusive; when in use, this RUN gets a fresh throw-away directory
  locked, ///< exclusive; waits until the others are done
};

/// Parses "", "shared", "private", "locked".
CacheSharing parse_cache_sharing(const std::string& text);

/// Takes the flock that `sharing` asks for on the directory `dir`. Returns
/// the locked descriptor, or nullopt when `sharing` is priv and the
/// directory is in use. Throws core::Error.
std::optional<core::UniqueFd> lock_cache_dir(const std::filesystem::path& dir,
                                             CacheSharing sharing);

} // namespace builder
