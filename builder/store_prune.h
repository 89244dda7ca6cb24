#pragma once

#include "core/digest.h"
#include "registry/image_store.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace builder {

/// `<root>/run-cache/`: images unpacked once for `cbuild run`, by manifest
/// hex. A run holds `.unpack.lock` while it unpacks or picks an entry, then
/// a shared flock on the entry's directory while the container runs.
extern const char* const k_run_cache;
extern const char* const k_unpack_lock;

/// What `cbuild prune` should delete.
struct PruneOptions {
  bool all = false;          ///< also every snapshot and the context stat caches
  bool cache_mounts = false; ///< also the contents of `<root>/cache-mounts/`
  /// Keep cache records used within this many seconds (--filter until=24h).
  std::optional<std::int64_t> keep_used_within;
};

/// One part of the store, as `cbuild du` shows it.
struct UsagePart {
  std::string name;             ///< "blobs", "snapshots", "cache records", "cache mounts", "run cache"
  size_t count = 0;             ///< entries
  std::uint64_t bytes = 0;      ///< disk space (allocated blocks)
  size_t reclaimable_count = 0; ///< entries a prune would delete
  std::uint64_t reclaimable = 0;
};

/// A path a prune deletes, and why it may go.
struct Removal {
  std::filesystem::path path;
  size_t part = 0; ///< index into PrunePlan::parts
  std::uint64_t bytes = 0;
};

/// Everything a prune will delete, worked out before deleting anything, so
/// `du` can show it and `prune` can apply it.
struct PrunePlan {
  std::vector<UsagePart> parts; ///< blobs, snapshots, cache records, cache mounts, run cache
  std::vector<Removal> removals;
  /// Blobs that stay although no tag reaches them: the layers of the cache
  /// records that stay. Blobs are deleted by ImageStore::prune_blobs(keep).
  std::vector<core::Digest> keep_blobs;
};

/// Plans a prune of the builder's part of `store`: cache records (all, or
/// those not used within the filter's time), the blobs and snapshots only
/// they needed, the run cache of untagged images, with `all` every snapshot,
/// stat cache and run cache entry, with `cache_mounts` the cache mounts.
/// Blobs reachable from a tag stay; a run cache entry in use stays.
PrunePlan plan_prune(const registry::ImageStore& store, const PruneOptions& options,
                     std::int64_t now_seconds);

/// Deletes what `plan` lists (cache records first, so a crash half-way
/// leaves no record pointing at a deleted layer). Call it holding the
/// build lock exclusively. Returns the bytes freed.
std::uint64_t apply_prune(const registry::ImageStore& store, const PrunePlan& plan);

/// The layer blobs the build cache refers to: what a blob cleanup (rmi)
/// must keep although no tag reaches them.
std::vector<core::Digest> cache_blob_roots(const std::filesystem::path& root);

/// Seconds of a Go-style duration ("24h", "90m", "1h30m", "45s"); nullopt
/// when it does not parse.
std::optional<std::int64_t> parse_duration(const std::string& text);

/// Disk space of a file or tree (allocated blocks, hard links counted once).
std::uint64_t disk_size(const std::filesystem::path& path);

} // namespace builder
