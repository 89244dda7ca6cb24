#include "builder/file_mode.h"

#include <catch2/catch.hpp>

#include <sys/stat.h>

namespace {

std::uint32_t chmod_of(const std::string& text, std::uint32_t mode, bool is_dir = false) {
  std::string error;
  std::optional<builder::ChmodSpec> spec = builder::parse_chmod(text, error);
  REQUIRE(spec);
  CHECK(error.empty());
  return spec->apply(mode, is_dir);
}

} // namespace

TEST_CASE("build --chmod: the octal form replaces the mode") {
  CHECK(chmod_of("0600", 0755) == 0600);
  CHECK(chmod_of("755", 0600) == 0755);
  CHECK(chmod_of("4755", 0644) == 04755);
}

TEST_CASE("build --chmod: the symbolic form edits the source's mode like chmod(1) with umask 0") {
  CHECK(chmod_of("u+x", 0644) == 0744);
  CHECK(chmod_of("u+x,go-r", 0644) == 0700);
  CHECK(chmod_of("a=r", 0755) == 0444);
  CHECK(chmod_of("+x", 0644) == 0755);
  CHECK(chmod_of("u=rwx,g=rx,o=", 0666) == 0750);
  CHECK(chmod_of("go-w", 0777) == 0755);
  CHECK(chmod_of("g=u", 0640) == 0660);
  CHECK(chmod_of("u+s,+t", 0755) == 05755);
  CHECK(chmod_of("o+r-w", 0662) == 0664);
}

TEST_CASE("build --chmod: X adds execute only to directories and already executable files") {
  CHECK(chmod_of("a+X", 0644) == 0644);
  CHECK(chmod_of("a+X", 0744) == 0755);
  CHECK(chmod_of("a+X", 0700, true) == 0711);
}

TEST_CASE("build --chmod: malformed modes are refused with a message") {
  for (const char* bad : {"", "8", "99999", "u", "u+q", "z+x", "u+x,", ",u+x", "u+x y"}) {
    std::string error;
    CHECK_FALSE(builder::parse_chmod(bad, error));
    CHECK_FALSE(error.empty());
  }
}
