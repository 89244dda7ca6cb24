#include "builder/registry_cache.h"

#include "core/error.h"

#include <catch2/catch.hpp>

using builder::CacheRecord;

namespace {

CacheRecord record(const std::string& instruction) {
  nlohmann::json ingredients = {{"instruction", instruction},
                                {"parent", "sha256:" + std::string(64, '1')}};
  return {builder::step_key(ingredients),
          ingredients,
          R"({"architecture":"amd64","os":"linux"})",
          {{.media_type = "application/vnd.oci.image.layer.v1.tar+gzip",
            .digest = core::Digest::from_string("sha256:" + std::string(64, 'a')),
            .size = 42}}};
}

} // namespace

TEST_CASE("parse_cache_spec reads type, ref and mode", "[builder][cache]") {
  auto spec = builder::parse_cache_spec("type=registry,ref=localhost:5000/team/cache:v1,mode=max",
                                        "--cache-to");
  CHECK(spec.ref.str() == "localhost:5000/team/cache:v1");
  CHECK(spec.mode == "max");
  CHECK(builder::parse_cache_spec("type=registry,ref=reg/c", "--cache-from").mode == "min");
  CHECK_THROWS_WITH(builder::parse_cache_spec("type=local,dest=x", "--cache-to"),
                    Catch::Contains("--cache-to 'type=local,dest=x'") &&
                        Catch::Contains("unknown item 'dest=x'"));
  CHECK_THROWS_WITH(builder::parse_cache_spec("type=inline", "--cache-to"),
                    Catch::Contains("only type=registry"));
  CHECK_THROWS_WITH(builder::parse_cache_spec("type=registry,ref=r,mode=all", "--cache-to"),
                    Catch::Contains("unknown item 'mode=all'"));
}

TEST_CASE("cache records survive a round trip through the cache config", "[builder][cache]") {
  std::vector<CacheRecord> records{record("RUN a"), record("RUN b")};
  std::string json = builder::serialize_cache_records(records, "max");
  std::vector<CacheRecord> back = builder::parse_cache_records(json, "cache");
  REQUIRE(back.size() == 2);
  CHECK(back[1].key == records[1].key);
  CHECK(back[1].ingredients == records[1].ingredients);
  CHECK(back[1].config == records[1].config);
  REQUIRE(back[1].layers.size() == 1);
  CHECK(back[1].layers[0].digest == records[1].layers[0].digest);
  CHECK(back[1].layers[0].size == 42);
}

TEST_CASE("parse_cache_records refuses a record whose key does not match", "[builder][cache]") {
  CacheRecord forged = record("RUN a");
  forged.key = record("RUN evil").key;
  std::string json = builder::serialize_cache_records({record("RUN ok"), forged}, "min");
  CHECK_THROWS_AS(builder::parse_cache_records(json, "cache reg/c:1"), core::InputError);
  CHECK_THROWS_WITH(builder::parse_cache_records(json, "cache reg/c:1"),
                    Catch::Contains("records[1]") && Catch::Contains("does not match"));
  CHECK_THROWS_WITH(builder::parse_cache_records(R"({"version":2,"records":[]})", "cache x"),
                    Catch::Contains("not a cbuild build cache"));
}
