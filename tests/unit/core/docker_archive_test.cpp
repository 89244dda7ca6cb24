#include "core/docker_archive.h"
#include "core/error.h"
#include "core/image_source.h"
#include "core/oci_archive.h"
#include "core/oci_layout.h"

#include "tests/unit/core/image_formats_support.h"

#include <catch2/catch.hpp>

namespace fs = std::filesystem;
using namespace test_support;

namespace {

std::string hex(const core::Digest& d) {
  return std::string(d.hex());
}

/// podman's docker-archive form: `<id>/layer.tar` symlink members pointing
/// at `<diffid>.tar` at the top.
fs::path write_podman_form(const fs::path& dir, const TestImage& t) {
  core::Digest d0 = core::sha256_of(t.layer_tars[0]);
  core::Digest d1 = core::sha256_of(t.layer_tars[1]);
  core::Digest config = core::sha256_of(t.config_bytes);
  nlohmann::json manifest =
      nlohmann::json::array({{{"Config", hex(config) + ".json"},
                              {"RepoTags", {"localhost/test:latest"}},
                              {"Layers", {"aaaa/layer.tar", "bbbb/layer.tar"}}}});
  fs::path path = dir / "podman.tar";
  core::ArchiveWriter w(path);
  w.add_file(hex(d0) + ".tar", t.layer_tars[0]);
  w.add_directory("aaaa/");
  w.add_symlink("aaaa/layer.tar", "../" + hex(d0) + ".tar");
  w.add_file(hex(d1) + ".tar", t.layer_tars[1]);
  w.add_directory("bbbb/");
  w.add_symlink("bbbb/layer.tar", "../" + hex(d1) + ".tar");
  w.add_file(hex(config) + ".json", t.config_bytes);
  w.add_file("manifest.json", manifest.dump());
  w.finish();
  return path;
}

} // namespace

TEST_CASE("docker-archive: written from gzip layers, read back with diff_ids as digests",
          "[core][docker_archive]") {
  core::TempDir dir;
  core::ContentStore store(dir.path() / "store");
  TestImage t = make_image(store);
  fs::path a = dir.path() / "a.tar";
  core::write_docker_archive(a, {t.export_as({"example/app:1.0"})}, core::blobs_from_store(store));
  fs::path b = dir.path() / "b.tar";
  core::write_docker_archive(b, {t.export_as({"example/app:1.0"})}, core::blobs_from_store(store));
  CHECK(read_file(a) == read_file(b));
  CHECK(fs::is_empty(dir.path() / "store" / ".tmp"));

  auto source = core::open_image_source(core::parse_source_spec("docker-archive:" + a.string()));
  CHECK(source->format() == "docker-archive");
  core::Image image = source->load("1.0");
  CHECK(image.synthesised);
  CHECK(image.names == std::vector<std::string>{"example/app:1.0"});
  CHECK(image.config_bytes == t.config_bytes);
  REQUIRE(image.manifest.layers.size() == 2);
  // The gzip layer was decompressed: the stored member is the plain tar.
  CHECK(image.manifest.layers[0].digest == core::sha256_of(t.layer_tars[0]));
  CHECK(image.manifest.layers[0].media_type == core::k_docker_layer_tar);
  CHECK(core::read_all(*source->open_layer(image, 0), "l0") == t.layer_tars[0]);
  CHECK(core::read_all(*source->open_layer(image, 1), "l1") == t.layer_tars[1]);

  // Auto-detection picks the docker view (no oci-layout member).
  auto detected = core::open_image_source(core::parse_source_spec(a.string()));
  CHECK(detected->format() == "docker-archive");
  core::ArchiveIndex index = core::ArchiveIndex::open(a);
  CHECK(index.find("manifest.json"));
  CHECK(index.find("repositories"));
  CHECK(index.find(hex(core::sha256_of(t.config_bytes)) + ".json"));
}

TEST_CASE("docker-archive: podman's symlinked layer.tar members are followed",
          "[core][docker_archive]") {
  core::TempDir dir;
  core::ContentStore store(dir.path() / "store");
  TestImage t = make_image(store);
  fs::path path = write_podman_form(dir.path(), t);
  auto source = core::open_image_source(core::parse_source_spec(path.string() + ":latest"));
  core::Image image = source->load("latest");
  REQUIRE(image.manifest.layers.size() == 2);
  CHECK(image.manifest.layers[1].digest == core::sha256_of(t.layer_tars[1]));
  CHECK(core::read_all(*source->open_layer(image, 0), "l0") == t.layer_tars[0]);
  CHECK(core::read_all(*source->open_layer(image, 1), "l1") == t.layer_tars[1]);
}

TEST_CASE("docker-archive: corrupt members are named in errors", "[core][docker_archive]") {
  core::TempDir dir;
  core::ContentStore store(dir.path() / "store");
  TestImage t = make_image(store);
  core::Digest d1 = core::sha256_of(t.layer_tars[1]);
  core::Digest config = core::sha256_of(t.config_bytes);

  SECTION("layer content differs from its diff_id") {
    std::string bad = t.layer_tars[1];
    bad[0] = 'X';
    nlohmann::json manifest = nlohmann::json::array(
        {{{"Config", hex(config) + ".json"}, {"Layers", {"abc/layer.tar", "def/layer.tar"}}}});
    fs::path path = dir.path() / "image.tar";
    core::ArchiveWriter w(path);
    w.add_file(hex(config) + ".json", t.config_bytes);
    w.add_file("abc/layer.tar", t.layer_tars[0]);
    w.add_file("def/layer.tar", bad);
    w.add_file("manifest.json", manifest.dump());
    w.finish();
    auto source = core::open_image_source(core::parse_source_spec(path.string()));
    core::Image image = source->load();
    CHECK(core::read_all(*source->open_layer(image, 0), "l0") == t.layer_tars[0]);
    CHECK_THROWS_WITH(core::read_all(*source->open_layer(image, 1), "l1"),
                      "image.tar: member 'def/layer.tar': digest mismatch (expected " + d1.str() +
                          ", content is " + core::sha256_of(bad).str() + ")");
  }
  SECTION("config named by a digest it does not have") {
    fs::path path = dir.path() / "image.tar";
    core::ArchiveWriter w(path);
    w.add_file(hex(d1) + ".json", t.config_bytes);
    w.add_file("manifest.json", R"([{"Config":")" + hex(d1) + R"(.json","Layers":[]}])");
    w.finish();
    CHECK_THROWS_WITH(core::open_image_source(core::parse_source_spec(path.string())),
                      std::string("image.tar: member '") + hex(d1) +
                          ".json': digest mismatch (expected " + d1.str() + ", content is " +
                          config.str() + ")");
  }
  SECTION("missing manifest.json, missing layer member") {
    fs::path path = dir.path() / "image.tar";
    {
      core::ArchiveWriter w(path);
      w.add_file("something", "else");
      w.finish();
    }
    CHECK_THROWS_WITH(core::open_image_source(core::parse_source_spec(path.string())),
                      "image.tar: manifest.json: missing (neither a docker-archive nor an OCI "
                      "archive)");
    CHECK_THROWS_WITH(
        core::open_image_source(core::parse_source_spec("docker-archive:" + path.string())),
        "image.tar: manifest.json: missing");
    {
      core::ArchiveWriter w(path);
      w.add_file(hex(config) + ".json", t.config_bytes);
      w.add_file("manifest.json",
                 R"([{"Config":")" + hex(config) + R"(.json","Layers":["gone/layer.tar"]}])");
      w.finish();
    }
    CHECK_THROWS_WITH(core::open_image_source(core::parse_source_spec(path.string())),
                      "image.tar: manifest.json: field '[0].Layers[0]': member 'gone/layer.tar' "
                      "is missing from the archive");
  }
}

TEST_CASE("docker-archive: Docker 25+ form (OCI layout inside) reads both ways",
          "[core][docker_archive]") {
  core::TempDir dir;
  core::ContentStore store(dir.path() / "store");
  TestImage t = make_image(store);
  // Uncompressed layers, as the graphdriver store saves them.
  core::Digest d0 = store.put(t.layer_tars[0]);
  core::Descriptor config_d{.media_type = std::string(core::k_oci_config),
                            .digest = core::sha256_of(t.config_bytes),
                            .size = static_cast<std::int64_t>(t.config_bytes.size())};
  core::Manifest m{
      .media_type = std::string(core::k_oci_manifest),
      .config = config_d,
      .layers = {core::Descriptor{.media_type = std::string(core::k_oci_layer_tar),
                                  .digest = d0,
                                  .size = static_cast<std::int64_t>(t.layer_tars[0].size())},
                 t.layers[1]}};
  core::ExportImage image{.manifest_bytes = core::serialize(m), .names = {"latest"}};
  // Start from an OCI archive and add manifest.json, like docker save does.
  fs::path oci = dir.path() / "oci.tar";
  core::write_oci_archive(oci, {image}, core::blobs_from_store(store));
  fs::path path = dir.path() / "docker25.tar";
  {
    core::ArchiveIndex in = core::ArchiveIndex::open(oci);
    core::ArchiveWriter w(path);
    for (const core::ArchiveMember& member : in.members()) {
      if (member.type == '5') {
        w.add_directory(member.name + "/");
        continue;
      }
      auto s = in.open_member(member);
      w.add_file(member.name, *s, member.size);
    }
    w.add_file("manifest.json", R"([{"Config":"blobs/sha256/)" + hex(config_d.digest) +
                                    R"(","RepoTags":["app:latest"],"Layers":["blobs/sha256/)" +
                                    hex(d0) + R"(","blobs/sha256/)" + hex(t.layers[1].digest) +
                                    R"("]}])");
    w.finish();
  }
  auto as_oci = core::open_image_source(core::parse_source_spec(path.string()));
  CHECK(as_oci->format() == "oci-archive");
  core::Image a = as_oci->load("latest");
  auto as_docker =
      core::open_image_source(core::parse_source_spec("docker-archive:" + path.string()));
  core::Image b = as_docker->load("app:latest");
  REQUIRE(a.manifest.layers.size() == 2);
  REQUIRE(b.manifest.layers.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    CHECK(a.manifest.layers[i].digest == b.manifest.layers[i].digest);
    CHECK(core::read_all(*as_oci->open_layer(a, i), "a") ==
          core::read_all(*as_docker->open_layer(b, i), "b"));
  }
  CHECK(a.config_bytes == b.config_bytes);
}
