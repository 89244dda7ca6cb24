#include "core/path_util.h"

#include <catch2/catch.hpp>

TEST_CASE("normalize_layer_path cleans tar paths and refuses escapes", "[core][path]") {
  CHECK(core::normalize_layer_path("usr/bin/env") == "usr/bin/env");
  CHECK(core::normalize_layer_path("./usr/bin/") == "usr/bin");
  CHECK(core::normalize_layer_path("/etc//passwd") == "etc/passwd");
  CHECK(core::normalize_layer_path("a/./b/../c") == "a/c");
  CHECK(core::normalize_layer_path("./") == ".");
  CHECK(core::normalize_layer_path("") == ".");
  CHECK(core::normalize_layer_path("a/..") == ".");
  CHECK_FALSE(core::normalize_layer_path(".."));
  CHECK_FALSE(core::normalize_layer_path("etc/../../x"));
  CHECK_FALSE(core::normalize_layer_path("/../etc"));
}

TEST_CASE("parent_path, base_name and join_layer_path split normalised paths", "[core][path]") {
  CHECK(core::parent_path("a/b/c") == "a/b");
  CHECK(core::parent_path("a") == ".");
  CHECK(core::base_name("a/b/c") == "c");
  CHECK(core::base_name("c") == "c");
  CHECK(core::join_layer_path(".", "x") == "x");
  CHECK(core::join_layer_path("a/b", "x") == "a/b/x");
}
