#include "analyzer/analysis.h"
#include "analyzer/waste.h"
#include "layer_builder.h"

#include <catch2/catch.hpp>

using namespace analyzer;
using namespace analyzer::test;

namespace {
Waste waste_of(const std::vector<LayerTable>& layers) {
  return compute_waste(layers, walk_layers(layers));
}
} // namespace

TEST_CASE("compute_waste counts each hidden copy once (worked example)", "[analyzer]") {
  std::vector<LayerTable> layers = {
      layer({file("a", 100, "A")}),
      layer({file("a", 100, "A", 0600), file("b", 50)}),
      layer({whiteout("b")}),
  };
  Waste waste = waste_of(layers);
  CHECK(waste.image_size == 250);
  CHECK(waste.reclaimable == 150);
  CHECK(waste.rewritten_bytes == 100);
  CHECK(waste.deleted_bytes == 50);
  CHECK(waste.efficiency == Approx(100.0 / 250.0));
  REQUIRE(waste.pairs.size() == 2);
  CHECK(waste.pairs[0].written_layer == 0);
  CHECK(waste.pairs[0].hidden_by_layer == 1);
  CHECK(waste.pairs[0].kind == WasteKind::rewritten);
  CHECK(waste.pairs[0].examples == std::vector<std::string>{"/a"});
  CHECK(waste.pairs[1].kind == WasteKind::deleted);
  CHECK(waste.pairs[1].bytes == 50);
}

TEST_CASE("compute_waste counts deleted directories and opaque whiteouts", "[analyzer]") {
  std::vector<LayerTable> layers = {
      layer({dir("d"), file("d/x", 10), file("d/y", 20), dir("o"), file("o/z", 40)}),
      layer({whiteout("d"), dir("o"), opaque("o"), file("o/new", 5)}),
  };
  Waste waste = waste_of(layers);
  CHECK(waste.image_size == 75);
  CHECK(waste.reclaimable == 70);
  CHECK(waste.deleted_bytes == 70);
  CHECK(waste.efficiency == Approx(5.0 / 75.0));
}

TEST_CASE("compute_waste does not count bytes a surviving hardlink shows", "[analyzer]") {
  std::vector<LayerTable> layers = {
      layer({file("a", 100), hardlink("h", "a")}),
      layer({whiteout("a")}),
  };
  Waste waste = waste_of(layers);
  CHECK(waste.reclaimable == 0);
  CHECK(waste.efficiency == Approx(1.0));
}

TEST_CASE("compute_waste reports dangling whiteouts and keeps going", "[analyzer]") {
  std::vector<LayerTable> layers = {
      layer({file("a", 10)}),
      layer({whiteout("b"), file("c", 7), file("a", 10, "new")}),
  };
  Waste waste = waste_of(layers);
  CHECK(waste.dangling_whiteouts.size() == 1);
  CHECK(waste.reclaimable == 10);
  CHECK(waste.replaced_bytes == 10);
}

TEST_CASE("compute_waste finds package caches and temp files per layer", "[analyzer]") {
  std::vector<LayerTable> layers = {
      layer({file("bin/sh", 10)}),
      layer({file("var/lib/apt/lists/deb.debian.org_dists_main", 500),
             file("var/lib/apt/lists/other", 300), file("tmp/build.log", 40),
             file("root/.cache/pip/wheels/x.whl", 70), file("usr/lib/tmp/not-tmp", 9)}),
      layer({whiteout("tmp/build.log")}),
  };
  Waste waste = waste_of(layers);
  REQUIRE(waste.leftovers.size() == 3);
  CHECK(waste.leftovers[0].category == "apt-lists");
  CHECK(waste.leftovers[0].bytes == 800);
  CHECK(waste.leftovers[0].files == 2);
  CHECK(waste.leftovers[0].still_visible);
  CHECK(waste.leftovers[0].example == "/var/lib/apt/lists/deb.debian.org_dists_main");
  CHECK(waste.leftovers[1].category == "pip-cache");
  CHECK(waste.leftovers[2].category == "tmp");
  CHECK_FALSE(waste.leftovers[2].still_visible);
}

TEST_CASE("compute_waste finds the same content in several layers", "[analyzer]") {
  std::vector<LayerTable> layers = {
      layer({file("opt/lib.so", 5000, "LIB"), file("small", 10, "S")}),
      layer({file("app/lib.so", 5000, "LIB"), file("small2", 10, "S")}),
  };
  Waste waste = waste_of(layers);
  REQUIRE(waste.duplicates.size() == 1);
  CHECK(waste.duplicates[0].copies.size() == 2);
  CHECK(waste.duplicates[0].extra_bytes() == 5000);
}

TEST_CASE("efficiency_findings name both layers and suggest COPY --chown", "[analyzer]") {
  Image image;
  image.info.layers.resize(2);
  image.info.layers[0].created_by = "/bin/sh -c #(nop) COPY dir:abc in /srv";
  image.info.layers[1].created_by = "/bin/sh -c chown -R app /srv";
  image.layers = {layer({file("srv/big", 3000000, "B")}),
                  layer({file("srv/big", 3000000, "B", 0640)})};
  Analysis analysis = analyze(image);
  const Finding* rewritten = nullptr;
  for (const Finding& finding : analysis.findings) {
    if (finding.rule_id == "efficiency/rewritten-files")
      rewritten = &finding;
  }
  REQUIRE(rewritten != nullptr);
  CHECK(rewritten->message ==
        "layer 1 (RUN chown -R app /srv) rewrote identical copies of 3.0 MB (1 file) written by "
        "layer 0 (COPY dir:abc in /srv); the old bytes still ship");
  CHECK(rewritten->advice == "use COPY --chown in layer 0 instead of a separate chown");
  CHECK(rewritten->bytes == 3000000);
  CHECK(rewritten->fingerprint.size() == 16);
}
