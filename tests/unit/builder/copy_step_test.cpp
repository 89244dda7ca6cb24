#include "builder/copy_step.h"
#include "core/temp_dir.h"
#include "test_util.h"

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>

namespace fs = std::filesystem;

namespace {

/// A source tree, an empty image (nothing below the copy) and the result.
struct Fixture {
  core::TempDir dir;
  fs::path src = dir.path() / "src";
  fs::path out = dir.path() / "out";
  builder::RootfsLookup empty_image = [](const std::string&) {
    return std::optional<builder::PathInfo>();
  };

  Fixture() {
    for (const char* file : {"a/b/c.txt", "a/b/d.log", "a/r.md", "x/y.txt", "x/s.md",
                             "src/pkg/main.go", "home.txt", "homer.sh", "tmp/t"}) {
      builder::test::write(src / file, file);
    }
    fs::create_directories(out);
  }

  /// Every path written, sorted, '/'-separated.
  std::vector<std::string> copy(builder::CopyPlan plan) {
    builder::CopySource from{.context = nullptr, .root = src};
    std::vector<std::string> selected = builder::select_sources(plan, from);
    builder::write_copy_tree(plan, from, selected, empty_image, out);
    std::vector<std::string> paths;
    for (const auto& entry : fs::recursive_directory_iterator(out)) {
      paths.push_back(fs::relative(entry.path(), out).generic_string());
    }
    std::sort(paths.begin(), paths.end());
    return paths;
  }
};

builder::CopyPlan plan_of(std::vector<std::string> sources, std::string dest) {
  builder::CopyPlan plan;
  plan.sources = std::move(sources);
  plan.dest = std::move(dest);
  return plan;
}

} // namespace

TEST_CASE("COPY --parents keeps the source paths, or those below a /./ pivot") {
  Fixture f;
  builder::CopyPlan plan = plan_of({"a/b/c.txt", "x/*.txt", "src/./pkg/main.go"}, "/p");
  plan.dest_is_dir = true;
  plan.parents = true;
  CHECK(f.copy(plan) == std::vector<std::string>{"p", "p/a", "p/a/b", "p/a/b/c.txt", "p/pkg",
                                                 "p/pkg/main.go", "p/x", "p/x/y.txt"});
}

TEST_CASE("COPY --parents of a directory keeps it and its contents under its path") {
  Fixture f;
  builder::CopyPlan plan = plan_of({"a/b"}, "/d");
  plan.dest_is_dir = true;
  plan.parents = true;
  CHECK(f.copy(plan) ==
        std::vector<std::string>{"d", "d/a", "d/a/b", "d/a/b/c.txt", "d/a/b/d.log"});
}

TEST_CASE("COPY --exclude leaves out matches below each source, and wildcard matches by name") {
  Fixture f;
  builder::CopyPlan plan = plan_of({"a"}, "/d");
  plan.dest_is_dir = true;
  plan.excludes = {"*/*.log", "r.md"};
  CHECK(f.copy(plan) == std::vector<std::string>{"d", "d/b", "d/b/c.txt"});

  Fixture g;
  builder::CopyPlan wild = plan_of({"hom*"}, "/h");
  wild.dest_is_dir = true;
  wild.excludes = {"*.txt"};
  CHECK(g.copy(wild) == std::vector<std::string>{"h", "h/homer.sh"});
}

TEST_CASE("COPY of one wildcard match to a path without '/' writes that file") {
  Fixture f;
  builder::CopyPlan plan = plan_of({"home.t*"}, "/single");
  CHECK(f.copy(plan) == std::vector<std::string>{"single"});
  CHECK(fs::is_regular_file(f.out / "single"));
}

TEST_CASE("COPY with several sources needs a destination ending in '/'") {
  Fixture f;
  builder::CopyPlan plan = plan_of({"home.txt", "homer.sh"}, "/d");
  CHECK_THROWS_WITH(f.copy(plan), Catch::Contains("must be a directory and end with a /"));
}

TEST_CASE("COPY --chmod symbolic applies to each copied file") {
  Fixture f;
  fs::permissions(f.src / "home.txt", fs::perms(0644));
  builder::CopyPlan plan = plan_of({"home.txt"}, "/m");
  std::string error;
  plan.chmod = builder::parse_chmod("u+x,go-r", error);
  f.copy(plan);
  struct stat st {};
  REQUIRE(::stat((f.out / "m").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0700);
}
