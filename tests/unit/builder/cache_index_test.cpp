#include "builder/cache_index.h"
#include "core/temp_dir.h"

#include <catch2/catch.hpp>

TEST_CASE("cache records round-trip and keys follow their ingredients") {
  core::TempDir dir;
  builder::CacheIndex index(dir.path());
  nlohmann::json ingredients = {{"parent", "p"}, {"instruction", "RUN make"}};
  core::Digest key = builder::step_key(ingredients);
  CHECK_FALSE(index.find(key).has_value());
  core::Descriptor layer{.media_type = "application/vnd.oci.image.layer.v1.tar+gzip",
                         .digest = core::sha256_of("layer"),
                         .size = 5};
  index.put({key, ingredients, "{\"architecture\":\"amd64\"}", {layer}});
  std::optional<builder::CacheRecord> found = index.find(key);
  REQUIRE(found.has_value());
  CHECK(found->config == "{\"architecture\":\"amd64\"}");
  REQUIRE(found->layers.size() == 1);
  CHECK(found->layers[0].digest == layer.digest);
  CHECK(found->ingredients == ingredients);
  nlohmann::json other = ingredients;
  other["instruction"] = "RUN make all";
  CHECK(builder::step_key(other) != key);
}

TEST_CASE("explain_difference names what changed") {
  nlohmann::json before = {{"parent", "a"},
                           {"instruction", "COPY . /src"},
                           {"args", {{"V", "1"}}},
                           {"files", {{"a.txt", "1"}, {"b.txt", "2"}}}};
  SECTION("instruction text") {
    nlohmann::json now = before;
    now["instruction"] = "COPY . /app";
    auto reasons = builder::explain_difference(now, before);
    REQUIRE(reasons.size() == 1);
    CHECK(reasons[0] == "instruction changed: 'COPY . /src' -> 'COPY . /app'");
  }
  SECTION("build arg and files") {
    nlohmann::json now = before;
    now["args"]["V"] = "2";
    now["files"]["b.txt"] = "3";
    now["files"]["c.txt"] = "4";
    auto reasons = builder::explain_difference(now, before);
    REQUIRE(reasons.size() == 2);
    CHECK(reasons[0] == "build arg V changed '1' -> '2'");
    CHECK(reasons[1] == "context files changed: b.txt (changed), c.txt (added)");
  }
  SECTION("only the parent") {
    nlohmann::json now = before;
    now["parent"] = "b";
    auto reasons = builder::explain_difference(now, before);
    REQUIRE(reasons.size() == 1);
    CHECK(reasons[0] == "an earlier step changed");
  }
}
