#include "builder/build_lock.h"
#include "builder/cache_index.h"
#include "builder/store_prune.h"
#include "core/layer_writer.h"
#include "core/media_types.h"
#include "core/temp_dir.h"
#include "test_util.h"

#include <catch2/catch.hpp>

namespace fs = std::filesystem;

namespace {

/// A one-layer image config over `diff_id`.
core::ImageConfig config_over(const core::Digest& diff_id) {
  core::ImageConfig config;
  config.architecture = "amd64";
  config.os = "linux";
  config.rootfs.diff_ids = {diff_id};
  return config;
}

/// Writes a one-file layer into the store.
std::pair<core::Descriptor, core::Digest> put_layer(const registry::ImageStore& store,
                                                    const fs::path& tree) {
  core::ContentStore::Writer blob = store.blobs().writer();
  core::LayerWriter writer(
      blob, {.compression = core::Compression::gzip, .compress = {}, .source_date_epoch = 0});
  writer.add_tree(tree);
  core::LayerResult result = writer.finish();
  core::Digest digest = blob.commit(result.digest, result.size);
  return {{.media_type = std::string(core::oci_layer_media_type(core::Compression::gzip)),
           .digest = digest,
           .size = static_cast<std::int64_t>(result.size)},
          result.diff_id};
}

} // namespace

TEST_CASE("durations of --filter until=") {
  CHECK(builder::parse_duration("24h") == 86400);
  CHECK(builder::parse_duration("1h30m") == 5400);
  CHECK(builder::parse_duration("45s") == 45);
  CHECK_FALSE(builder::parse_duration(""));
  CHECK_FALSE(builder::parse_duration("10"));
  CHECK_FALSE(builder::parse_duration("3d"));
  CHECK_FALSE(builder::parse_duration("h"));
}

TEST_CASE(
    "prune keeps what tags and kept cache records use, and rmi's cleanup keeps cache layers") {
  core::TempDir dir;
  registry::ImageStore store(dir.path() / "store");
  builder::test::write(dir.path() / "t1/a.txt", "tagged");
  builder::test::write(dir.path() / "t2/b.txt", "cached only");
  auto [tagged_layer, tagged_diff] = put_layer(store, dir.path() / "t1");
  auto [cached_layer, cached_diff] = put_layer(store, dir.path() / "t2");
  core::Descriptor manifest = store.put_image(config_over(tagged_diff), {tagged_layer});
  store.tag(manifest, registry::parse_reference("app:1"));
  builder::CacheIndex cache(dir.path() / "store" / "cache");
  core::Digest key = core::sha256_of("step");
  cache.put(
      {key, {{"instruction", "RUN x"}}, core::serialize(config_over(cached_diff)), {cached_layer}});
  fs::create_directories(dir.path() / "store/snapshots" / std::string(cached_diff.hex()));
  fs::create_directories(dir.path() / "store/snapshots" / std::string(tagged_diff.hex()));
  builder::test::write(dir.path() / "store/cache-mounts/abc/data", "cached download");

  SECTION("the cache's layers are roots for a blob cleanup (rmi)") {
    store.prune_blobs(builder::cache_blob_roots(store.root()));
    CHECK(store.blobs().has(cached_layer.digest));
  }
  SECTION("records used within the filter's time stay, with their blobs and snapshots") {
    builder::PruneOptions options;
    options.keep_used_within = 3600;
    builder::PrunePlan plan = builder::plan_prune(store, options, 0);
    builder::apply_prune(store, plan);
    CHECK(cache.find(key));
    CHECK(store.blobs().has(cached_layer.digest));
    CHECK(fs::exists(dir.path() / "store/snapshots" / std::string(cached_diff.hex())));
  }
  SECTION("a plain prune removes the cache, keeps tagged images and cache mounts") {
    builder::PrunePlan plan = builder::plan_prune(store, {}, 0);
    CHECK(plan.parts[0].reclaimable_count == 1); // the cached-only layer
    CHECK(builder::apply_prune(store, plan) > 0);
    CHECK_FALSE(cache.find(key));
    CHECK_FALSE(store.blobs().has(cached_layer.digest));
    CHECK(store.blobs().has(tagged_layer.digest));
    CHECK_FALSE(fs::exists(dir.path() / "store/snapshots" / std::string(cached_diff.hex())));
    CHECK(fs::exists(dir.path() / "store/snapshots" / std::string(tagged_diff.hex())));
    CHECK(fs::exists(dir.path() / "store/cache-mounts/abc/data"));
    CHECK(store.read(manifest).manifest.layers.size() == 1);
  }
  SECTION("--all and --cache-mounts remove every snapshot and the cache mounts") {
    builder::PruneOptions options;
    options.all = true;
    options.cache_mounts = true;
    builder::PrunePlan plan = builder::plan_prune(store, options, 0);
    builder::apply_prune(store, plan);
    CHECK_FALSE(fs::exists(dir.path() / "store/snapshots" / std::string(tagged_diff.hex())));
    CHECK(fs::is_empty(dir.path() / "store/cache-mounts"));
    CHECK(store.blobs().has(tagged_layer.digest));
  }
}

TEST_CASE("the build lock: builds share it, prune excludes them, leftovers go") {
  core::TempDir dir;
  builder::BuildLock first =
      builder::BuildLock::acquire(dir.path(), builder::BuildLock::Mode::shared);
  CHECK(builder::BuildLock::try_acquire(dir.path(), builder::BuildLock::Mode::shared));
  CHECK_FALSE(builder::BuildLock::try_acquire(dir.path(), builder::BuildLock::Mode::exclusive));

  builder::test::write(dir.path() / "snapshots/.tmp/run-x/upper/f", "left by a killed build");
  builder::test::write(dir.path() / "cache/steps/.abc.json.tmp-123456", "{");
  builder::test::write(dir.path() / "cache/steps/abc.json", "{}");
  CHECK(builder::remove_crash_leftovers(dir.path()) == 2);
  CHECK(fs::is_empty(dir.path() / "snapshots/.tmp"));
  CHECK(fs::exists(dir.path() / "cache/steps/abc.json"));
}
