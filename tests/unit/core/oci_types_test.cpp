#include "core/error.h"
#include "core/image_config.h"
#include "core/media_types.h"
#include "core/oci_types.h"

#include <catch2/catch.hpp>

using core::Digest;

namespace {

const std::string k_hex_a(64, 'a');
const std::string k_hex_b(64, 'b');

std::string manifest_json(std::string_view layer_digest) {
  return R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
         R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:)" +
         k_hex_a +
         R"(","size":7},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip",)"
         R"("digest":")" +
         std::string(layer_digest) + R"(","size":32,"x-vendor":{"k":1}}],"x-top":"kept"})";
}

} // namespace

TEST_CASE("Manifest round-trips canonically and keeps unknown fields", "[core][oci_types]") {
  std::string text = manifest_json("sha256:" + k_hex_b);
  core::Manifest m = core::parse_manifest(text, "manifest");
  CHECK(m.schema_version == 2);
  CHECK(m.config.digest.hex() == k_hex_a);
  CHECK(m.config.size == 7);
  REQUIRE(m.layers.size() == 1);
  CHECK(core::layer_compression(m.layers[0].media_type) == core::Compression::gzip);
  std::string out = core::serialize(m);
  // Sorted keys, compact, unknown members kept (top level and in a descriptor).
  CHECK(out ==
        R"({"config":{"digest":"sha256:)" + k_hex_a +
            R"(","mediaType":"application/vnd.oci.image.config.v1+json","size":7},)"
            R"("layers":[{"digest":"sha256:)" +
            k_hex_b +
            R"(","mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","size":32,)"
            R"("x-vendor":{"k":1}}],"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
            R"("schemaVersion":2,"x-top":"kept"})");
  CHECK(core::serialize(core::parse_manifest(out, "again")) == out);
}

TEST_CASE("Manifest parse errors name the document and the field", "[core][oci_types]") {
  CHECK_THROWS_WITH(core::parse_manifest(manifest_json("sha256:xyz"), "manifest sha256:1234"),
                    "manifest sha256:1234: field 'layers[0].digest': invalid digest 'sha256:xyz': "
                    "expected 64 hex digits, got 3");
  CHECK_THROWS_WITH(core::parse_manifest(R"({"schemaVersion":2,"config":{"mediaType":"x",)"
                                         R"("digest":"sha256:)" +
                                             k_hex_a + R"(","size":"7"}})",
                                         "m"),
                    "m: field 'config.size': expected an integer, got string");
  CHECK_THROWS_WITH(core::parse_manifest(R"({"schemaVersion":1})", "m"),
                    "m: field 'config': missing");
  CHECK_THROWS_WITH(core::parse_manifest("[1]", "m"), "m: expected a JSON object");
  CHECK_THROWS_WITH(core::parse_manifest("{", "m"), Catch::StartsWith("m: invalid JSON: "));
  CHECK_THROWS_AS(core::parse_manifest("{", "m"), core::InputError);
}

TEST_CASE("Index parses platforms and ref names; null manifests is empty", "[core][oci_types]") {
  std::string text =
      R"({"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
      R"("digest":"sha256:)" +
      k_hex_a +
      R"(","size":10,"platform":{"architecture":"arm64","os":"linux","variant":"v8"},)"
      R"("annotations":{"org.opencontainers.image.ref.name":"latest"}}]})";
  core::Index index = core::parse_index(text, "index.json");
  REQUIRE(index.manifests.size() == 1);
  const core::Descriptor& d = index.manifests[0];
  CHECK(d.annotation(core::k_annotation_ref_name) == "latest");
  REQUIRE(d.platform);
  CHECK(d.platform->str() == "linux/arm64/v8");
  CHECK(d.platform->matches(core::Platform{.architecture = "arm64", .os = "linux"}));
  CHECK_FALSE(d.platform->matches(core::Platform{.architecture = "amd64", .os = "linux"}));
  CHECK(core::parse_index(core::serialize(index), "again").manifests[0].platform->variant == "v8");
  CHECK(core::parse_index(R"({"schemaVersion":2,"manifests":null})", "i").manifests.empty());
  CHECK_THROWS_WITH(core::parse_index(R"({"schemaVersion":2,"manifests":{}})", "i"),
                    "i: field 'manifests': expected an array, got object");
}

TEST_CASE("ImageConfig round-trips Docker configs without losing fields", "[core][oci_types]") {
  std::string text = R"({"architecture":"amd64","os":"linux","created":"2024-01-01T00:00:00Z",
    "container_config":{"Hostname":"abc"},"docker_version":"24.0",
    "config":{"Hostname":"","User":"app","Env":["PATH=/bin","SECRET=x"],"Cmd":["sh"],
      "Entrypoint":null,"ExposedPorts":{"80/tcp":{}},"Volumes":{"/data":{}},"WorkingDir":"/w",
      "Labels":{"a":"b"},"StopSignal":"SIGTERM","OnBuild":null,"Shell":["/bin/sh","-c"],
      "Healthcheck":{"Test":["CMD-SHELL","true"],"Interval":30000000000,"Retries":3},
      "ArgsEscaped":true},
    "rootfs":{"type":"layers","diff_ids":["sha256:)" +
                     k_hex_a + R"("]},
    "history":[{"created_by":"ADD file","created":"2024"},{"created_by":"CMD","empty_layer":true}]})";
  core::ImageConfig c = core::parse_image_config(text, "config");
  CHECK(c.config.user == "app");
  CHECK(c.config.env == std::vector<std::string>{"PATH=/bin", "SECRET=x"});
  CHECK(c.config.entrypoint.empty());
  CHECK(c.config.exposed_ports == std::vector<std::string>{"80/tcp"});
  CHECK(c.config.volumes == std::vector<std::string>{"/data"});
  REQUIRE(c.config.healthcheck);
  CHECK(c.config.healthcheck->interval == 30'000'000'000);
  CHECK(c.config.healthcheck->retries == 3);
  CHECK(c.config.args_escaped);
  REQUIRE(c.rootfs.diff_ids.size() == 1);
  REQUIRE(c.history.size() == 2);
  CHECK(c.history[1].empty_layer);
  CHECK_FALSE(c.history[0].empty_layer);

  std::string out = core::serialize(c);
  CHECK(out.find(R"("container_config":{"Hostname":"abc"})") != std::string::npos);
  CHECK(out.find(R"("docker_version":"24.0")") != std::string::npos);
  CHECK(out.find(R"("Hostname":"")") != std::string::npos); // unknown member of config kept
  CHECK(out.find("Entrypoint") == std::string::npos);       // null/empty omitted
  CHECK(out.find("OnBuild") == std::string::npos);
  CHECK(out.find("\n") == std::string::npos);
  CHECK(out.find("\": ") == std::string::npos);
  CHECK(core::serialize(core::parse_image_config(out, "again")) == out);

  CHECK_THROWS_WITH(core::parse_image_config(R"({"config":{"Env":["A",3]}})", "config sha256:1"),
                    "config sha256:1: field 'config.Env[1]': expected a string, got number");
  CHECK_THROWS_WITH(core::parse_image_config(R"({"rootfs":{"diff_ids":["md5:1"]}})", "c"),
                    Catch::StartsWith("c: field 'rootfs.diff_ids[0]': invalid digest 'md5:1'"));
}

TEST_CASE("Media type helpers classify OCI and Docker types", "[core][oci_types]") {
  using namespace core;
  CHECK(is_index(k_oci_index));
  CHECK(is_index(k_docker_manifest_list));
  CHECK(is_manifest(k_docker_manifest));
  CHECK_FALSE(is_manifest(k_oci_index));
  CHECK(is_config(k_docker_config));
  CHECK(is_layer(k_docker_foreign_layer_gzip));
  CHECK(is_foreign_layer(k_oci_foreign_layer_zstd));
  CHECK_FALSE(is_layer(k_oci_config));
  CHECK(layer_compression(k_docker_layer_gzip) == Compression::gzip);
  CHECK(layer_compression(k_oci_layer_zstd) == Compression::zstd);
  CHECK(layer_compression(k_docker_layer_tar) == Compression::none);
  CHECK(sniff_compression("\x1f\x8b\x08") == Compression::gzip);
  CHECK(sniff_compression(std::string_view("\x28\xb5\x2f\xfd", 4)) == Compression::zstd);
  CHECK(sniff_compression("ustar") == Compression::none);
  CHECK(sniff_media_type(R"({"manifests":[]})") == k_oci_index);
  CHECK(sniff_media_type(R"({"mediaType":"x"})") == "x");
}
