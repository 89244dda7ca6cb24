#include "analyzer/secrets/keyword_matcher.h"

#include <catch2/catch.hpp>

using secrets::KeywordMatcher;

namespace {
std::vector<std::uint8_t> find_all(const KeywordMatcher& matcher, std::string_view text) {
  std::vector<std::uint8_t> found(matcher.keyword_count(), 0);
  matcher.find(text, found);
  return found;
}
} // namespace

TEST_CASE("KeywordMatcher finds every keyword in one pass, ignoring case", "[secrets]") {
  KeywordMatcher matcher({"ghp_", "he", "she", "hers", "akia"});
  auto found = find_all(matcher, "USHERS and AKIA");
  CHECK(found == std::vector<std::uint8_t>{0, 1, 1, 1, 1});
}

TEST_CASE("KeywordMatcher reports nothing when no keyword occurs", "[secrets]") {
  KeywordMatcher matcher({"token", "secret"});
  CHECK(find_all(matcher, "tokes secre t0ken") == std::vector<std::uint8_t>{0, 0});
  CHECK(find_all(matcher, "") == std::vector<std::uint8_t>{0, 0});
}

TEST_CASE("KeywordMatcher finds keywords that overlap or share prefixes", "[secrets]") {
  KeywordMatcher matcher({"xoxb-", "xox", "ox", "-----begin"});
  CHECK(find_all(matcher, "xoxb-1") == std::vector<std::uint8_t>{1, 1, 1, 0});
  CHECK(find_all(matcher, "-----BEGIN RSA") == std::vector<std::uint8_t>{0, 0, 0, 1});
  // A keyword at the very end, and one that restarts inside a failed match.
  CHECK(find_all(matcher, "xoxoxb-") == std::vector<std::uint8_t>{1, 1, 1, 0});
}

TEST_CASE("KeywordMatcher handles arbitrary bytes", "[secrets]") {
  KeywordMatcher matcher({"key"});
  std::string text("\x00\xff\x80KEY\x00", 7);
  CHECK(find_all(matcher, text) == std::vector<std::uint8_t>{1});
  KeywordMatcher empty(std::vector<std::string>{});
  std::vector<std::uint8_t> none;
  CHECK(empty.find("anything", none) == 0);
}
