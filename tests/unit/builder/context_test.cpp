#include "builder/context.h"
#include "core/temp_dir.h"
#include "test_util.h"

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <utime.h>

namespace fs = std::filesystem;

TEST_CASE("the build context applies .dockerignore and matches COPY sources") {
  core::TempDir dir;
  fs::path ctx = dir.path() / "ctx";
  builder::test::write(ctx / "a.txt", "a");
  builder::test::write(ctx / "b.txt", "b");
  builder::test::write(ctx / "src/main.c", "int main;");
  builder::test::write(ctx / "secret.key", "k");
  std::string error;
  auto ignore = dockerfile::DockerIgnore::parse("*.key\n", error);
  builder::BuildContext context(ctx, ignore, dir.path() / "cache.json");
  CHECK(context.find("a.txt") != nullptr);
  CHECK(context.find("secret.key") == nullptr);
  CHECK(context.ignored("secret.key"));
  CHECK_FALSE(context.ignored("missing"));
  CHECK(context.match("*.txt") == std::vector<std::string>{"a.txt", "b.txt"});
  CHECK(context.match("./src/") == std::vector<std::string>{"src"});
  CHECK(context.subtree("src").size() == 2);
}

TEST_CASE("entry digests ignore mtime and the stat cache avoids re-reading") {
  core::TempDir dir;
  fs::path ctx = dir.path() / "ctx";
  fs::path cache = dir.path() / "cache.json";
  builder::test::write(ctx / "f.txt", "hello");
  std::string first;
  {
    builder::BuildContext context(ctx, {}, cache);
    first = context.entry_digest(*context.find("f.txt")).str();
    CHECK(context.files_hashed() == 1);
    context.save();
  }
  {
    builder::BuildContext context(ctx, {}, cache);
    CHECK(context.entry_digest(*context.find("f.txt")).str() == first);
    CHECK(context.files_hashed() == 0);
  }
  struct utimbuf times {
    1000, 1000
  };
  REQUIRE(::utime((ctx / "f.txt").c_str(), &times) == 0);
  {
    builder::BuildContext context(ctx, {}, cache);
    CHECK(context.entry_digest(*context.find("f.txt")).str() == first);
  }
  builder::test::write(ctx / "f.txt", "hellO");
  builder::BuildContext context(ctx, {}, cache);
  CHECK(context.entry_digest(*context.find("f.txt")).str() != first);
}
