#include "analyzer/dive_efficiency.h"
#include "layer_builder.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace analyzer;
using namespace analyzer::test;

TEST_CASE("dive_efficiency matches the worked example of efficiency.md", "[analyzer]") {
  std::vector<LayerTable> layers = {
      layer({file("a", 100)}),
      layer({file("a", 100), file("b", 50)}),
      layer({whiteout("b")}),
  };
  DiveEfficiency dive = dive_efficiency(layers);
  CHECK(dive.efficiency == Approx(0.40));
  CHECK(dive.wasted_bytes == 250);
  CHECK(dive.image_size == 250);
  CHECK(dive.user_size == 150);
  CHECK(dive.user_wasted_percent == Approx(250.0 / 150.0));
  REQUIRE(dive.inefficient.size() == 2);
  CHECK(dive.inefficient[0].path == "/a");
  CHECK(dive.inefficient[0].count == 2);
  CHECK(dive.inefficient[0].cumulative == 200);
  CHECK(dive.inefficient[1].path == "/b");
  CHECK(dive.inefficient[1].cumulative == 50);
}

TEST_CASE("dive_efficiency reproduces dive's own unit test (0.75)", "[analyzer]") {
  // No directory entries: the parents carry no IsDir, so the whiteout sizes to 0.
  std::vector<LayerTable> layers = {
      layer({file("etc/nginx/nginx.conf", 2000), file("etc/nginx/public", 3000)}),
      layer({file("etc/nginx/nginx.conf", 5000), file("etc/athing", 10000)}),
      layer({whiteout("etc/nginx")}),
  };
  DiveEfficiency dive = dive_efficiency(layers);
  CHECK(dive.efficiency == Approx(0.75));
  CHECK(dive.wasted_bytes == 7000);
}

TEST_CASE("dive_efficiency sizes a whiteout of a real directory by its subtree", "[analyzer]") {
  std::vector<LayerTable> layers = {
      layer({dir("d"), file("d/x", 10), file("d/y", 20)}),
      layer({whiteout("d")}),
  };
  DiveEfficiency dive = dive_efficiency(layers);
  // /d is a one-node path with size 30 on both sides: dive sees no waste.
  CHECK(dive.efficiency == Approx(1.0));
  CHECK(dive.wasted_bytes == 0);
}

TEST_CASE("dive_efficiency ignores opaque whiteouts", "[analyzer]") {
  std::vector<LayerTable> layers = {
      layer({dir("d"), file("d/x", 10)}),
      layer({dir("d"), opaque("d"), file("d/z", 5)}),
  };
  DiveEfficiency dive = dive_efficiency(layers);
  CHECK(dive.efficiency == Approx(1.0));
  CHECK(dive.wasted_bytes == 0);
}

TEST_CASE("dive_efficiency stops a layer at a dangling whiteout, as dive does", "[analyzer]") {
  std::vector<LayerTable> layers = {
      layer({file("a", 10)}),
      layer({whiteout("b"), file("c", 7)}),
  };
  DiveEfficiency dive = dive_efficiency(layers);
  // /.wh.b sorts before /c; the walk stops there, /c is never counted and /b
  // keeps dive's initial minimum of -1.
  CHECK(dive.efficiency == Approx(9.0 / 10.0));
  REQUIRE(dive.aborted_layers.size() == 1);
  CHECK(dive.aborted_layers[0] == "layer 1: /b");
  CHECK(dive.image_size == 17);
}

TEST_CASE("dive_efficiency visits paths component by component", "[analyzer]") {
  // "a-b" sorts before "a/b" bytewise but after it component-wise: the dangling
  // whiteout in "a/" stops the layer before "a-b" is seen.
  std::vector<LayerTable> layers = {
      layer({file("x", 4)}),
      layer({whiteout("a/gone"), file("a-b", 6), file("a/keep", 1)}),
  };
  DiveEfficiency dive = dive_efficiency(layers);
  // Visited: /a/.wh.gone (abort). Paths: /x {4,4}, /a/gone {cum 0, min -1}.
  CHECK(dive.efficiency == Approx(3.0 / 4.0));
}

TEST_CASE("dive_efficiency is NaN for user waste of a one-layer image", "[analyzer]") {
  std::vector<LayerTable> layers = {layer({file("a", 10)})};
  DiveEfficiency dive = dive_efficiency(layers);
  CHECK(dive.efficiency == Approx(1.0));
  CHECK(std::isnan(dive.user_wasted_percent));
}

TEST_CASE("dive_efficiency counts hardlinks as 0 bytes", "[analyzer]") {
  std::vector<LayerTable> layers = {
      layer({file("a", 100), hardlink("h", "a")}),
      layer({whiteout("a")}),
  };
  DiveEfficiency dive = dive_efficiency(layers);
  CHECK(dive.efficiency == Approx(0.0));
  CHECK(dive.wasted_bytes == 100);
}
