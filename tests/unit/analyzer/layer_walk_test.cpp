#include "analyzer/layer_walk.h"
#include "layer_builder.h"

#include <catch2/catch.hpp>

using namespace analyzer;
using namespace analyzer::test;

namespace {
std::vector<std::string> paths_of(const LayerWalk& walk) {
  std::vector<std::string> out;
  for (const auto& [path, file] : walk.final_tree)
    out.push_back(path);
  return out;
}
} // namespace

TEST_CASE("walk_layers counts added, modified and removed per layer", "[analyzer]") {
  std::vector<LayerTable> layers = {
      layer({dir("etc"), file("etc/a", 10), file("etc/b", 20)}),
      layer({file("etc/a", 11), file("etc/c", 5), whiteout("etc/b")}),
  };
  LayerWalk walk = walk_layers(layers);
  CHECK(paths_of(walk) == std::vector<std::string>{"etc", "etc/a", "etc/c"});
  CHECK(walk.changes[0].added_files == 3);
  CHECK(walk.changes[0].added_bytes == 30);
  CHECK(walk.changes[1].added_files == 1);
  CHECK(walk.changes[1].modified_files == 1);
  CHECK(walk.changes[1].modified_bytes == 11);
  CHECK(walk.changes[1].removed_files == 1); // etc/b (etc/a was modified)
  CHECK(walk.changes[1].removed_bytes == 20);
  CHECK(walk.entry_changes[1][2] == EntryChange::removed);
  CHECK(walk.final_tree.at("etc/a").version == VersionRef{1, 0});
}

TEST_CASE("walk_layers removes a whole directory for its whiteout", "[analyzer]") {
  // The lower layer has no entry for "d" itself: the directory is implied.
  std::vector<LayerTable> layers = {
      layer({file("d/x", 1), file("d/sub/y", 2), file("dx", 3)}),
      layer({whiteout("d")}),
  };
  LayerWalk walk = walk_layers(layers);
  CHECK(paths_of(walk) == std::vector<std::string>{"dx"});
  CHECK(walk.hidden.size() == 2);
  CHECK(walk.dangling_whiteouts.empty());
}

TEST_CASE("walk_layers applies opaque whiteouts to lower layers only", "[analyzer]") {
  std::vector<LayerTable> layers = {
      layer({dir("d"), file("d/old", 4), file("keep", 1)}),
      // The opaque marker comes after the new child: order must not matter.
      layer({dir("d"), file("d/new", 2), opaque("d")}),
  };
  LayerWalk walk = walk_layers(layers);
  CHECK(paths_of(walk) == std::vector<std::string>{"d", "d/new", "keep"});
  bool old_hidden_by_opaque = false;
  for (const HiddenCopy& copy : walk.hidden)
    old_hidden_by_opaque |=
        copy.how == HiddenBy::opaque_whiteout && copy.version == VersionRef{0, 1};
  CHECK(old_hidden_by_opaque);
}

TEST_CASE("walk_layers ignores a whiteout for a path of the same layer", "[analyzer]") {
  std::vector<LayerTable> layers = {
      layer({file("a", 1)}),
      layer({file("b", 2), whiteout("b")}),
  };
  LayerWalk walk = walk_layers(layers);
  CHECK(paths_of(walk) == std::vector<std::string>{"a", "b"});
  REQUIRE(walk.dangling_whiteouts.size() == 1);
  CHECK(walk.dangling_whiteouts[0] == VersionRef{1, 1});
}

TEST_CASE("walk_layers replaces a directory by a file and a file by a directory", "[analyzer]") {
  std::vector<LayerTable> layers = {
      layer({dir("x"), file("x/in", 5), file("y", 6)}),
      layer({file("x", 1), file("y/z", 2)}),
  };
  LayerWalk walk = walk_layers(layers);
  CHECK(paths_of(walk) == std::vector<std::string>{"x", "y/z"});
  CHECK(walk.changes[1].removed_bytes == 11);
}

TEST_CASE("walk_layers keeps the last copy of a path repeated in one layer", "[analyzer]") {
  std::vector<LayerTable> layers = {layer({file("a", 3), file("a", 4)})};
  LayerWalk walk = walk_layers(layers);
  CHECK(walk.final_tree.at("a").version == VersionRef{0, 1});
  REQUIRE(walk.hidden.size() == 1);
  CHECK(walk.hidden[0].by_layer == 0);
}

TEST_CASE("walk_layers marks bytes still reachable through a hardlink", "[analyzer]") {
  std::vector<LayerTable> layers = {
      layer({file("bin/a", 100), hardlink("bin/b", "bin/a")}),
      layer({whiteout("bin/a")}),
  };
  LayerWalk walk = walk_layers(layers);
  REQUIRE(walk.final_tree.count("bin/b") == 1);
  CHECK(walk.final_tree.at("bin/b").hardlink_to == VersionRef{0, 0});
  REQUIRE(walk.hidden.size() == 1);
  CHECK(walk.hidden[0].still_linked);
}

TEST_CASE("walk_layers flags identical overwrites", "[analyzer]") {
  std::vector<LayerTable> layers = {
      layer({file("app/data", 100, "v1")}),
      layer({file("app/data", 100, "v1", 0600)}),
      layer({file("app/data", 100, "v2")}),
  };
  LayerWalk walk = walk_layers(layers);
  REQUIRE(walk.hidden.size() == 2);
  CHECK(walk.hidden[0].same_content);
  CHECK_FALSE(walk.hidden[1].same_content);
}

TEST_CASE("merged_tree_at stops at the requested layer", "[analyzer]") {
  std::vector<LayerTable> layers = {layer({file("a", 1)}), layer({file("b", 1)})};
  CHECK(merged_tree_at(layers, 0).size() == 1);
  CHECK(merged_tree_at(layers, 1).size() == 2);
  CHECK(merged_tree_at(layers, 9).size() == 2);
}
