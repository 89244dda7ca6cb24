#include "registry/image_store.h"

#include "core/error.h"
#include "core/media_types.h"
#include "core/temp_dir.h"

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

using registry::ImageStore;
using registry::parse_reference;

namespace {

/// A one-layer image whose layer bytes are `layer` (not a real tar: the store
/// does not look inside layers).
core::Descriptor put_test_image(const ImageStore& store, std::string_view layer,
                                std::string_view cmd) {
  core::Digest layer_digest = store.blobs().put(layer);
  core::ImageConfig config;
  config.architecture = "amd64";
  config.os = "linux";
  config.config.cmd = {std::string(cmd)};
  config.rootfs.diff_ids = {layer_digest};
  return store.put_image(config, {{.media_type = std::string(core::k_oci_layer_tar),
                                   .digest = layer_digest,
                                   .size = static_cast<std::int64_t>(layer.size())}});
}

} // namespace

TEST_CASE("ImageStore is an OCI layout and tags images by reference", "[registry][store]") {
  core::TempDir dir;
  ImageStore store(dir.path() / "store");
  CHECK(std::filesystem::exists(dir.path() / "store/oci-layout"));
  CHECK(store.list().empty());

  core::Descriptor m = put_test_image(store, "layer-a", "/bin/a");
  store.tag(m, parse_reference("busybox"));
  store.tag(m, parse_reference("localhost/app:v1"));

  auto images = store.list();
  REQUIRE(images.size() == 2);
  CHECK(images[0].reference.str() == "docker.io/library/busybox:latest");
  CHECK(images[1].reference.str() == "localhost/app:v1");

  auto found = store.find("busybox:latest");
  REQUIRE(found);
  CHECK(found->digest == m.digest);
  registry::ImageData data = store.read(*found);
  CHECK(data.config.config.cmd == std::vector<std::string>{"/bin/a"});
  CHECK(data.manifest.layers.size() == 1);
  CHECK(core::sha256_of(data.config_bytes) == data.id());

  SECTION("find by image id prefix and by manifest digest") {
    CHECK(store.find(std::string(data.id().hex().substr(0, 12)))->digest == m.digest);
    CHECK(store.find(data.id().str())->digest == m.digest);
    CHECK(store.find(m.digest.str())->digest == m.digest);
    CHECK_FALSE(store.find("nothere"));
    CHECK_FALSE(store.find("abc"));
  }

  SECTION("re-tagging moves the name; untag removes it") {
    core::Descriptor m2 = put_test_image(store, "layer-b", "/bin/b");
    store.tag(m2, parse_reference("busybox:latest"));
    CHECK(store.find("busybox")->digest == m2.digest);
    CHECK(store.list().size() == 2);
    CHECK(store.untag(parse_reference("busybox")));
    CHECK_FALSE(store.untag(parse_reference("busybox")));
    CHECK_FALSE(store.find("busybox"));
  }

  SECTION("prune keeps what tags reach and frees the rest") {
    core::Descriptor m2 = put_test_image(store, "layer-orphan", "/bin/orphan");
    CHECK(store.blobs().has(m2.digest));
    CHECK(store.prune_blobs() > 0);
    CHECK_FALSE(store.blobs().has(m2.digest));
    CHECK(store.blobs().has(m.digest));
    CHECK(store.read(m).config.config.cmd == std::vector<std::string>{"/bin/a"});
  }

  SECTION("the store reopens with the same tags") {
    ImageStore again(dir.path() / "store");
    CHECK(again.list().size() == 2);
  }
}

TEST_CASE("ImageStore::put_image refuses layers that are not stored", "[registry][store]") {
  core::TempDir dir;
  ImageStore store(dir.path());
  core::ImageConfig config;
  core::Descriptor missing{.media_type = std::string(core::k_oci_layer_tar),
                           .digest = core::sha256_of("absent"),
                           .size = 6};
  CHECK_THROWS_AS(store.put_image(config, {missing}), core::Error);
}

TEST_CASE("ImageStore tags from several processes at once are all kept", "[registry][store]") {
  core::TempDir dir;
  ImageStore store(dir.path());
  core::Descriptor m = put_test_image(store, "shared", "/bin/x");
  constexpr int k_children = 4;
  constexpr int k_tags_each = 15;
  std::vector<pid_t> children;
  for (int c = 0; c < k_children; ++c) {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      int rc = 0;
      try {
        ImageStore mine(dir.path());
        for (int t = 0; t < k_tags_each; ++t) {
          mine.tag(m, parse_reference("app" + std::to_string(c) + ":t" + std::to_string(t)));
        }
      } catch (...) {
        rc = 1;
      }
      _exit(rc);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  CHECK(store.list().size() == static_cast<size_t>(k_children * k_tags_each));
}

TEST_CASE("ImageStore::find needs at least 4 hex digits of an id", "[registry][store]") {
  core::TempDir dir;
  ImageStore store(dir.path());
  core::Descriptor m = put_test_image(store, "x", "/x");
  store.tag(m, parse_reference("x"));
  CHECK_FALSE(store.find(std::string(m.digest.hex().substr(0, 3))));
  CHECK(store.find(std::string(m.digest.hex().substr(0, 4))));
}
