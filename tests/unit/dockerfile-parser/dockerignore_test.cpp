#include "dockerfile-parser/dockerignore.h"

#include "core/temp_dir.h"

#include <catch2/catch.hpp>

#include <fstream>

using namespace dockerfile;

namespace {

DockerIgnore ignore(std::string_view text) {
  std::string error;
  DockerIgnore d = DockerIgnore::parse(text, error);
  REQUIRE(error.empty());
  return d;
}

} // namespace

TEST_CASE("DockerIgnore cleans patterns and skips comments", "[dockerignore]") {
  DockerIgnore d = ignore("# comment\n\n  ./build/  \n/dist\n!./keep//me\n #notcomment\n");
  CHECK(d.patterns() == std::vector<std::string>{"build", "dist", "!keep/me", "#notcomment"});
}

TEST_CASE("DockerIgnore single star and question mark stay within a directory", "[dockerignore]") {
  DockerIgnore d = ignore("*.log\nsrc/?.tmp\n");
  CHECK(d.is_excluded("a.log"));
  CHECK_FALSE(d.is_excluded("dir/a.log")); // '*' does not cross '/'
  CHECK(d.is_excluded("src/x.tmp"));
  CHECK_FALSE(d.is_excluded("src/xy.tmp"));
}

TEST_CASE("DockerIgnore double star matches any depth", "[dockerignore]") {
  DockerIgnore d = ignore("**/*.pyc\ndocs/**\n**/node_modules\n");
  CHECK(d.is_excluded("a.pyc"));
  CHECK(d.is_excluded("a/b/c.pyc"));
  CHECK(d.is_excluded("docs/x/y.md"));
  CHECK_FALSE(d.is_excluded("docs"));
  CHECK(d.is_excluded("node_modules/x"));
  CHECK(d.is_excluded("web/node_modules/react/index.js"));
  CHECK_FALSE(d.is_excluded("src/main.c"));
}

TEST_CASE("DockerIgnore excludes children of an excluded directory", "[dockerignore]") {
  DockerIgnore d = ignore("build\n");
  CHECK(d.is_excluded("build"));
  CHECK(d.is_excluded("build/out/a.o"));
  CHECK_FALSE(d.is_excluded("builder/x"));
}

TEST_CASE("DockerIgnore character classes", "[dockerignore]") {
  DockerIgnore d = ignore("file[0-9].txt\n[^a]*.c\n");
  CHECK(d.is_excluded("file3.txt"));
  CHECK_FALSE(d.is_excluded("filex.txt"));
  CHECK(d.is_excluded("b.c"));
  CHECK_FALSE(d.is_excluded("a.c"));
}

TEST_CASE("DockerIgnore exceptions apply in order; the last match wins", "[dockerignore]") {
  DockerIgnore d = ignore("*.md\n!README.md\n");
  CHECK(d.is_excluded("CHANGES.md"));
  CHECK_FALSE(d.is_excluded("README.md"));

  DockerIgnore reversed = ignore("!README.md\n*.md\n");
  CHECK(reversed.is_excluded("README.md")); // the later exclusion wins

  DockerIgnore nested = ignore("docs\n!docs/keep\ndocs/keep/secret\n");
  CHECK(nested.is_excluded("docs/a"));
  CHECK_FALSE(nested.is_excluded("docs/keep/b"));
  CHECK(nested.is_excluded("docs/keep/secret"));
}

TEST_CASE("DockerIgnore rejects a bare exclamation mark", "[dockerignore]") {
  std::string error;
  DockerIgnore::parse("a\n!\n", error);
  CHECK(error == "illegal exclusion pattern: \"!\"");
}

TEST_CASE("clean_path matches Go's filepath.Clean", "[dockerignore]") {
  CHECK(clean_path("") == ".");
  CHECK(clean_path("./a/../b//c/") == "b/c");
  CHECK(clean_path("/../x") == "/x");
  CHECK(clean_path("../x") == "../x");
}

TEST_CASE("find_dockerignore prefers the Dockerfile's own ignore file", "[dockerignore]") {
  core::TempDir dir;
  const auto root = dir.path();
  std::filesystem::create_directories(root / "sub");
  const auto dockerfile = root / "sub" / "app.Dockerfile";
  CHECK_FALSE(find_dockerignore(root, dockerfile));
  std::ofstream(root / ".dockerignore") << "x\n";
  CHECK(find_dockerignore(root, dockerfile) == root / ".dockerignore");
  std::ofstream(root / "sub" / "app.Dockerfile.dockerignore") << "y\n";
  CHECK(find_dockerignore(root, dockerfile) == root / "sub" / "app.Dockerfile.dockerignore");
}
