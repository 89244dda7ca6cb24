#include "core/error.h"

#include <catch2/catch.hpp>

#include <cerrno>

TEST_CASE("Error::add_context puts context in front", "[core][error]") {
  core::Error e("rename 'a': No space left on device");
  e.add_context("writing layer sha256:ab");
  CHECK(std::string(e.what()) == "writing layer sha256:ab: rename 'a': No space left on device");
}

TEST_CASE("throw_errno names verb, object and cause", "[core][error]") {
  CHECK_THROWS_WITH(core::throw_errno("open", "/x", ENOENT),
                    "open '/x': No such file or directory");
  CHECK_THROWS_AS(core::throw_errno("open", "/x", EACCES), core::Error);
}
