#include "builder/store_prune.h"

#include "builder/cache_index.h"
#include "core/error.h"
#include "core/file_lock.h"
#include "core/image_config.h"
#include "core/unique_fd.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <charconv>
#include <optional>
#include <set>
#include <utility>

namespace builder {

const char* const k_run_cache = "run-cache";
const char* const k_unpack_lock = ".unpack.lock";

namespace fs = std::filesystem;

namespace {

enum Part : size_t { blobs_part, snapshots_part, records_part, mounts_part, run_cache_part };

std::int64_t mtime_seconds(const fs::path& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 ? st.st_mtim.tv_sec : 0;
}

std::vector<fs::path> children(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    out.push_back(e.path());
  }
  return out;
}

/// What the tagged images use: every blob they reach and their diff_ids.
struct TaggedUse {
  std::set<std::string> blobs;    ///< hex digests
  std::set<std::string> diff_ids; ///< hex digests
};

TaggedUse tagged_use(const registry::ImageStore& store) {
  TaggedUse use;
  for (const registry::StoredImage& image : store.list()) {
    use.blobs.insert(std::string(image.manifest.digest.hex()));
    if (!store.blobs().has(image.manifest.digest)) {
      continue;
    }
    registry::ImageData data = store.read(image.manifest);
    use.blobs.insert(std::string(data.id().hex()));
    for (const core::Descriptor& layer : data.manifest.layers) {
      use.blobs.insert(std::string(layer.digest.hex()));
    }
    for (const core::Digest& diff_id : data.config.rootfs.diff_ids) {
      use.diff_ids.insert(std::string(diff_id.hex()));
    }
  }
  return use;
}

/// A step record file and what it refers to.
struct RecordFile {
  fs::path path;
  std::int64_t mtime = 0;
  std::vector<core::Digest> layers;
  std::vector<core::Digest> diff_ids;
};

std::vector<RecordFile> read_records(const fs::path& root) {
  CacheIndex index(root / "cache");
  std::vector<RecordFile> out;
  for (const fs::path& path : children(root / "cache" / "steps")) {
    if (path.extension() != ".json" || path.filename().string().starts_with(".")) {
      continue;
    }
    RecordFile file{path, mtime_seconds(path), {}, {}};
    auto key = core::Digest::parse("sha256:" + path.stem().string());
    std::optional<CacheRecord> record = key ? index.find(*key) : std::nullopt;
    if (record) {
      for (const core::Descriptor& layer : record->layers) {
        file.layers.push_back(layer.digest);
      }
      try {
        file.diff_ids = core::parse_image_config(record->config, "cached config").rootfs.diff_ids;
      } catch (const core::Error&) {
        // an unreadable record keeps nothing alive; it is pruned like any other
      }
    }
    out.push_back(std::move(file));
  }
  return out;
}

void add(PrunePlan& plan, size_t part, const fs::path& path, bool remove) {
  std::uint64_t bytes = disk_size(path);
  UsagePart& p = plan.parts[part];
  ++p.count;
  p.bytes += bytes;
  if (remove) {
    ++p.reclaimable_count;
    p.reclaimable += bytes;
    plan.removals.push_back({path, part, bytes});
  }
}

void plan_records(const fs::path& root, const PruneOptions& options, std::int64_t now,
                  PrunePlan& plan, std::set<std::string>& kept_diff_ids) {
  auto old_enough = [&](std::int64_t mtime) {
    return !options.keep_used_within || now - mtime >= *options.keep_used_within;
  };
  for (const RecordFile& record : read_records(root)) {
    bool remove = old_enough(record.mtime);
    add(plan, records_part, record.path, remove);
    if (!remove) {
      plan.keep_blobs.insert(plan.keep_blobs.end(), record.layers.begin(), record.layers.end());
      for (const core::Digest& d : record.diff_ids) {
        kept_diff_ids.insert(std::string(d.hex()));
      }
    }
  }
  for (const fs::path& path : children(root / "cache" / "builds")) {
    add(plan, records_part, path, old_enough(mtime_seconds(path)));
  }
  for (const fs::path& path : children(root / "cache" / "context")) {
    add(plan, records_part, path, options.all);
  }
}

void plan_blobs(const registry::ImageStore& store, const TaggedUse& tagged, PrunePlan& plan) {
  std::set<std::string> keep = tagged.blobs;
  for (const core::Digest& d : plan.keep_blobs) {
    keep.insert(std::string(d.hex()));
  }
  for (const fs::path& path : children(store.root() / "blobs" / "sha256")) {
    add(plan, blobs_part, path, keep.count(path.filename().string()) == 0);
  }
}

} // namespace

PrunePlan plan_prune(const registry::ImageStore& store, const PruneOptions& options,
                     std::int64_t now_seconds) {
  PrunePlan plan;
  for (const char* name : {"blobs", "snapshots", "cache records", "cache mounts", "run cache"}) {
    plan.parts.emplace_back().name = name;
  }
  const fs::path& root = store.root();
  TaggedUse tagged = tagged_use(store);
  std::set<std::string> kept_diff_ids;
  plan_records(root, options, now_seconds, plan, kept_diff_ids);
  plan_blobs(store, tagged, plan);
  for (const fs::path& path : children(root / "snapshots")) {
    std::string name = path.filename().string();
    if (name == ".tmp") {
      continue; // leftovers are removed by the next build (remove_crash_leftovers)
    }
    bool used = tagged.diff_ids.count(name) > 0 || kept_diff_ids.count(name) > 0;
    add(plan, snapshots_part, path, options.all || (!used && name != "empty"));
  }
  for (const fs::path& path : children(root / "cache-mounts")) {
    add(plan, mounts_part, path, options.cache_mounts);
  }
  // Images unpacked for `cbuild run`, by manifest: those of untagged images
  // go (all with --all); one a run is using stays (see apply_prune).
  for (const fs::path& path : children(root / k_run_cache)) {
    std::string name = path.filename().string();
    if (name == k_unpack_lock) {
      continue;
    }
    bool tagged_image = tagged.blobs.count(name) > 0;
    add(plan, run_cache_part, path, options.all || !tagged_image || name.starts_with("unpacking-"));
  }
  return plan;
}

std::uint64_t apply_prune(const registry::ImageStore& store, const PrunePlan& plan) {
  std::uint64_t freed = 0;
  std::vector<const Removal*> ordered;
  for (const Removal& r : plan.removals) {
    if (r.part == records_part) {
      ordered.insert(ordered.begin(), &r);
    } else if (r.part != blobs_part) {
      ordered.push_back(&r);
    }
  }
  // Under the lock `cbuild run` takes to unpack and to start using an
  // unpacked image, each entry is removed only when no run holds it.
  std::optional<core::FileLock> run_cache_lock;
  for (const Removal* r : ordered) {
    std::error_code ec;
    if (r->part == run_cache_part) {
      if (!run_cache_lock) {
        run_cache_lock.emplace(store.root() / k_run_cache / k_unpack_lock);
      }
      core::UniqueFd dir(::open(r->path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (dir && ::flock(dir.get(), LOCK_EX | LOCK_NB) != 0) {
        continue; // a running container's root file system
      }
    }
    fs::remove_all(r->path, ec);
    if (ec) {
      throw core::Error("remove '" + r->path.string() + "': " + ec.message());
    }
    freed += r->bytes;
  }
  return freed + store.prune_blobs(plan.keep_blobs);
}

std::vector<core::Digest> cache_blob_roots(const fs::path& root) {
  std::vector<core::Digest> out;
  for (RecordFile& record : read_records(root)) {
    out.insert(out.end(), record.layers.begin(), record.layers.end());
  }
  return out;
}

std::optional<std::int64_t> parse_duration(const std::string& text) {
  std::int64_t total = 0;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  if (p == end) {
    return std::nullopt;
  }
  while (p != end) {
    std::int64_t n = 0;
    auto [next, ec] = std::from_chars(p, end, n);
    if (ec != std::errc() || next == end || n < 0) {
      return std::nullopt;
    }
    switch (*next) {
    case 'h': total += n * 3600; break;
    case 'm': total += n * 60; break;
    case 's': total += n; break;
    default: return std::nullopt;
    }
    p = next + 1;
  }
  return total;
}

std::uint64_t disk_size(const fs::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    return 0;
  }
  std::uint64_t total = static_cast<std::uint64_t>(st.st_blocks) * 512;
  if (!S_ISDIR(st.st_mode)) {
    return total;
  }
  std::set<std::pair<dev_t, ino_t>> seen;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec),
       done;
       it != done; it.increment(ec)) {
    if (ec || ::lstat(it->path().c_str(), &st) != 0) {
      continue;
    }
    if (st.st_nlink > 1 && !S_ISDIR(st.st_mode) && !seen.insert({st.st_dev, st.st_ino}).second) {
      continue;
    }
    total += static_cast<std::uint64_t>(st.st_blocks) * 512;
  }
  return total;
}

} // namespace builder
