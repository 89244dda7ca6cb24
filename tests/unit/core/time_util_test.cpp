#include "core/time_util.h"

#include <catch2/catch.hpp>

TEST_CASE("RFC 3339 times format and parse back", "[core][time]") {
  CHECK(core::format_rfc3339(0) == "1970-01-01T00:00:00Z");
  CHECK(core::format_rfc3339(1700000000) == "2023-11-14T22:13:20Z");
  CHECK(core::parse_rfc3339("2023-11-14T22:13:20Z") == 1700000000);
  CHECK(core::parse_rfc3339("2023-11-14T22:13:20.123456789Z") == 1700000000);
  CHECK(core::parse_rfc3339("2023-11-14T23:13:20+01:00") == 1700000000);
  CHECK_FALSE(core::parse_rfc3339("yesterday"));
  CHECK_FALSE(core::parse_rfc3339("2023-11-14T22:13:20"));
}

TEST_CASE("human_age and human_size read like docker's", "[core][time]") {
  CHECK(core::human_age(std::nullopt, 100) == "N/A");
  CHECK(core::human_age(1000, 1000 + 5 * 60) == "5 minutes ago");
  CHECK(core::human_age(1000, 1000 + 3 * 86400) == "3 days ago");
  CHECK(core::human_size(12) == "12B");
  CHECK(core::human_size(1500) == "1.5kB");
  CHECK(core::human_size(4'400'000) == "4.4MB");
}
