#include "core/whiteout.h"

#include <catch2/catch.hpp>

TEST_CASE("whiteout names follow the OCI layer spec", "[core][whiteout]") {
  CHECK(core::is_whiteout("a/.wh.b"));
  CHECK(core::is_whiteout(".wh.b"));
  CHECK(core::is_whiteout("a/.wh..wh..opq"));
  CHECK_FALSE(core::is_whiteout("a/b.wh.c"));
  CHECK_FALSE(core::is_whiteout(".whb"));
  CHECK(core::is_opaque_whiteout("x/y/.wh..wh..opq"));
  CHECK_FALSE(core::is_opaque_whiteout("x/.wh.y"));

  CHECK(core::whiteout_target("a/.wh.b") == "a/b");
  CHECK(core::whiteout_target(".wh.etc") == "etc");
  CHECK_FALSE(core::whiteout_target("a/.wh..wh..opq"));
  CHECK_FALSE(core::whiteout_target("a/.wh..wh.plnk")); // AUFS metadata
  CHECK_FALSE(core::whiteout_target("a/.wh."));         // invalid: no name
  CHECK_FALSE(core::whiteout_target("a/b"));

  CHECK(core::opaque_whiteout_dir("a/b/.wh..wh..opq") == "a/b");
  CHECK(core::opaque_whiteout_dir(".wh..wh..opq") == ".");
  CHECK_FALSE(core::opaque_whiteout_dir("a/.wh.b"));

  CHECK(core::whiteout_path_for("a/b/c") == "a/b/.wh.c");
  CHECK(core::whiteout_path_for("c") == ".wh.c");
  CHECK(core::opaque_whiteout_path_for("a") == "a/.wh..wh..opq");
  CHECK(core::opaque_whiteout_path_for(".") == ".wh..wh..opq");
  CHECK(core::whiteout_target(core::whiteout_path_for("usr/lib/x")) == "usr/lib/x");
}
