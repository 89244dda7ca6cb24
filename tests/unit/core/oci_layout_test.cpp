#include "core/error.h"
#include "core/image_source.h"
#include "core/oci_archive.h"
#include "core/oci_layout.h"

#include "tests/unit/core/image_formats_support.h"

#include <catch2/catch.hpp>

#include <thread>

namespace fs = std::filesystem;
using namespace test_support;

namespace {

void check_image(const core::ImageSource& source, const core::Image& image, const TestImage& t) {
  CHECK(image.manifest_bytes == t.manifest_bytes);
  CHECK(image.manifest_descriptor.digest == t.manifest_digest);
  CHECK(image.config_bytes == t.config_bytes); // exact bytes, never re-serialised
  CHECK(image.config.config.cmd == std::vector<std::string>{"/bin/tool"});
  REQUIRE(image.manifest.layers.size() == 2);
  CHECK(core::read_all(*source.open_layer(image, 0), "l0") == gzip(t.layer_tars[0]));
  CHECK(core::read_all(*source.open_layer(image, 1), "l1") == t.layer_tars[1]);
}

} // namespace

TEST_CASE("OCI layout: write, then read back by ref name", "[core][oci_layout]") {
  core::TempDir dir;
  core::ContentStore store(dir.path() / "store");
  TestImage one = make_image(store, "one");
  TestImage two = make_image(store, "two");
  fs::path layout = dir.path() / "layout";
  core::write_oci_layout(layout, {one.export_as({"one"})}, core::blobs_from_store(store));
  // A second write adds to index.json; re-using a name replaces its entry.
  core::write_oci_layout(layout, {two.export_as({"two", "latest"})}, core::blobs_from_store(store));
  CHECK(read_file(layout / "oci-layout") == R"({"imageLayoutVersion":"1.0.0"})");
  CHECK_FALSE(fs::exists(layout / ".tmp"));

  auto source = core::open_image_source(core::parse_source_spec("oci:" + layout.string()));
  CHECK(source->format() == "oci");
  CHECK(source->images().size() == 3);
  check_image(*source, source->load("one"), one);
  check_image(*source, source->load("latest"), two);
  CHECK_THROWS_WITH(source->load(), Catch::Contains("holds 3 images; name one with ':REF'"));
  CHECK_THROWS_WITH(source->load("nope"), Catch::Contains("no image named 'nope'"));

  core::SourceSpec spec = core::parse_source_spec("oci:" + layout.string() + ":two");
  CHECK(spec.transport == "oci");
  CHECK(spec.path == layout.string());
  CHECK(spec.ref == "two");
  auto again = core::open_image_source(spec);
  check_image(*again, again->load(spec.ref), two);
}

TEST_CASE("OCI layout: corrupted and missing blobs give clear errors", "[core][oci_layout]") {
  core::TempDir dir;
  core::ContentStore store(dir.path() / "store");
  TestImage t = make_image(store);
  fs::path layout = dir.path() / "layout";
  core::write_oci_layout(layout, {t.export_as({"x"})}, core::blobs_from_store(store));
  auto source = core::open_oci_layout(layout);
  core::Image image = source->load("x");
  fs::path layer1 = layout / "blobs" / "sha256" / std::string(t.layers[1].digest.hex());

  SECTION("same size, other content") {
    std::string bad = t.layer_tars[1];
    bad[600] ^= 1;
    write_file(layer1, bad);
    auto in = source->open_layer(image, 1);
    CHECK_THROWS_WITH(core::read_all(*in, "l"),
                      layout.string() + ": blobs/sha256/" + std::string(t.layers[1].digest.hex()) +
                          ": digest mismatch (expected " + t.layers[1].digest.str() +
                          ", content is " + core::sha256_of(bad).str() + ")");
  }
  SECTION("truncated") {
    write_file(layer1, t.layer_tars[1].substr(0, 100));
    CHECK_THROWS_WITH(source->open_layer(image, 1),
                      Catch::Contains("size mismatch (descriptor says"));
  }
  SECTION("missing") {
    fs::remove(layer1);
    CHECK_THROWS_WITH(source->open_layer(image, 1),
                      layout.string() + ": blob " + t.layers[1].digest.str() + ": missing");
  }
  SECTION("not a layout") {
    fs::remove(layout / "oci-layout");
    CHECK_THROWS_WITH(core::open_oci_layout(layout),
                      layout.string() + ": oci-layout: missing (not an OCI image layout)");
  }
}

TEST_CASE("OCI layout: an index picks the manifest for the platform", "[core][oci_layout]") {
  core::TempDir dir;
  core::ContentStore store(dir.path());
  TestImage t = make_image(store);
  core::Descriptor md{.media_type = std::string(core::k_oci_manifest),
                      .digest = t.manifest_digest,
                      .size = static_cast<std::int64_t>(t.manifest_bytes.size())};
  core::Index nested{.media_type = std::string(core::k_oci_index)};
  core::Descriptor arm = md;
  arm.digest = core::sha256_of("absent arm64 manifest"); // other platforms may be missing
  arm.platform = core::Platform{.architecture = "arm64", .os = "linux"};
  md.platform = core::Platform{.architecture = "amd64", .os = "linux"};
  nested.manifests = {arm, md};
  std::string nested_bytes = core::serialize(nested);
  core::Descriptor nd{.media_type = std::string(core::k_oci_index),
                      .digest = store.put(nested_bytes),
                      .size = static_cast<std::int64_t>(nested_bytes.size())};
  nd.annotations[std::string(core::k_annotation_ref_name)] = "multi";
  core::Index top{.media_type = std::string(core::k_oci_index), .manifests = {nd}};
  write_file(dir.path() / "index.json", core::serialize(top));
  write_file(dir.path() / "oci-layout", core::k_oci_layout_file);

  auto source = core::open_oci_layout(dir.path());
  core::Platform amd64{.architecture = "amd64", .os = "linux"};
  core::Image image = source->load("multi", amd64);
  CHECK(image.manifest_descriptor.digest == t.manifest_digest);
  core::Platform arm64{.architecture = "arm64", .os = "linux"};
  CHECK_THROWS_WITH(source->load("multi", arm64), Catch::Contains(": missing"));
  core::Platform s390{.architecture = "s390x", .os = "linux"};
  CHECK_THROWS_WITH(source->load("multi", s390),
                    Catch::Contains("no manifest for linux/s390x (available: linux/arm64, "
                                    "linux/amd64)"));
}

TEST_CASE("OCI archive: write deterministically, read in place, in parallel",
          "[core][oci_archive]") {
  core::TempDir dir;
  core::ContentStore store(dir.path() / "store");
  TestImage t = make_image(store);
  fs::path a = dir.path() / "a.tar";
  fs::path b = dir.path() / "b.tar";
  core::write_oci_archive(a, {t.export_as({"latest"})}, core::blobs_from_store(store));
  core::write_oci_archive(b, {t.export_as({"latest"})}, core::blobs_from_store(store));
  CHECK(read_file(a) == read_file(b));

  auto source = core::open_image_source(core::parse_source_spec(a.string()));
  CHECK(source->format() == "oci-archive");
  core::Image image = source->load();
  check_image(*source, image, t);

  // Each stream has its own offset: read both layers at once from two threads.
  std::string got[2];
  std::thread threads[2];
  for (int i = 0; i < 2; ++i) {
    threads[i] = std::thread([&, i] {
      got[i] = core::read_all(*source->open_layer(image, static_cast<size_t>(i)), "layer");
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  CHECK(got[0] == gzip(t.layer_tars[0]));
  CHECK(got[1] == t.layer_tars[1]);
}

TEST_CASE("OCI archive: a bad blob leaves no partial file", "[core][oci_archive]") {
  core::TempDir dir;
  core::ContentStore store(dir.path() / "store");
  TestImage t = make_image(store);
  core::BlobOpener wrong = [&](const core::Descriptor& d) -> std::unique_ptr<core::InputStream> {
    if (d.digest == t.layers[1].digest) {
      static const std::string other(t.layer_tars[1].size(), 'z');
      return std::make_unique<core::MemoryInputStream>(other);
    }
    return store.open(d.digest);
  };
  fs::path out = dir.path() / "out" / "image.tar";
  fs::create_directories(out.parent_path());
  CHECK_THROWS_WITH(core::write_oci_archive(out, {t.export_as({})}, wrong),
                    Catch::Contains("blob " + t.layers[1].digest.str() + ": digest mismatch"));
  CHECK(fs::is_empty(out.parent_path()));
  CHECK_THROWS_WITH(core::write_oci_layout(dir.path() / "layout", {t.export_as({})}, wrong),
                    Catch::Contains("digest mismatch"));
  CHECK_FALSE(fs::exists(dir.path() / "layout" / "index.json"));
  CHECK(fs::is_empty(dir.path() / "layout" / ".tmp"));
}
