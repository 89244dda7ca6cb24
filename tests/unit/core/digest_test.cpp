#include "core/digest.h"
#include "core/error.h"

#include <catch2/catch.hpp>

#include <string>

using core::Digest;

TEST_CASE("Digest::parse accepts sha256 with 64 lower-case hex digits", "[core][digest]") {
  std::string text = "sha256:" + std::string(64, 'a');
  auto d = Digest::parse(text);
  REQUIRE(d);
  CHECK(d->str() == text);
  CHECK(d->algorithm() == "sha256");
  CHECK(d->hex() == std::string(64, 'a'));
  CHECK(d->short_hex() == std::string(12, 'a'));
}

TEST_CASE("Digest::parse refuses malformed digests", "[core][digest]") {
  CHECK_FALSE(Digest::parse(""));
  CHECK_FALSE(Digest::parse(std::string(64, 'a')));
  CHECK_FALSE(Digest::parse("sha512:" + std::string(128, 'a')));
  CHECK_FALSE(Digest::parse("sha256:" + std::string(63, 'a')));
  CHECK_FALSE(Digest::parse("sha256:" + std::string(65, 'a')));
  CHECK_FALSE(Digest::parse("sha256:" + std::string(64, 'A')));
  CHECK_FALSE(Digest::parse("sha256:../../" + std::string(58, 'a')));
}

TEST_CASE("Digest::from_string names the problem", "[core][digest]") {
  try {
    Digest::from_string("md5:abc");
    FAIL("no exception");
  } catch (const core::InputError& e) {
    CHECK(std::string(e.what()) ==
          "invalid digest 'md5:abc': unsupported algorithm 'md5' (only sha256)");
  }
  CHECK_THROWS_WITH(Digest::from_string("sha256:12"),
                    "invalid digest 'sha256:12': expected 64 hex digits, got 2");
}

TEST_CASE("Sha256 matches known vectors, streamed or whole", "[core][digest]") {
  CHECK(core::sha256_of("").str() ==
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(core::sha256_of("abc").str() ==
        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  core::Sha256 h;
  h.update("a");
  h.update("");
  h.update("bc");
  CHECK(h.size() == 3);
  CHECK(h.finish() == core::sha256_of("abc"));
  // finish() resets the hasher.
  CHECK(h.size() == 0);
  CHECK(h.finish() == core::sha256_of(""));
}
