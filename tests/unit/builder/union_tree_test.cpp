#include "builder/union_tree.h"
#include "core/temp_dir.h"

#include "test_util.h"

#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>

namespace fs = std::filesystem;
using builder::materialize_union;
using builder::static_prefix;
using builder::test::write;

namespace {

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// Every path below `root`, sorted, directories with a trailing '/',
/// symlinks as "name -> target".
std::vector<std::string> listing(const fs::path& root) {
  std::vector<std::string> out;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it) {
    std::string rel = it->path().lexically_relative(root).string();
    if (it->is_symlink()) {
      rel += " -> " + fs::read_symlink(it->path()).string();
    } else if (it->is_directory()) {
      rel += "/";
    }
    out.push_back(rel);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void whiteout(const fs::path& path) {
  fs::create_directories(path.parent_path());
  REQUIRE(::mknod(path.c_str(), S_IFCHR | 0600, makedev(0, 0)) == 0);
}

void opaque(const fs::path& dir) {
  fs::create_directories(dir);
  REQUIRE(::lsetxattr(dir.c_str(), "trusted.overlay.opaque", "y", 1, 0) == 0);
}

} // namespace

TEST_CASE("static_prefix stops at the first wildcard component") {
  CHECK(static_prefix("/out") == "out");
  CHECK(static_prefix("/out/") == "out");
  CHECK(static_prefix("out/*.txt") == "out");
  CHECK(static_prefix("/a/b?/c") == "a");
  CHECK(static_prefix("*.c") == "");
  CHECK(static_prefix("/") == "");
  CHECK(static_prefix("/a/../b/[xy]") == "b");
}

TEST_CASE("materialize_union merges snapshot dirs as overlayfs does, only the named paths") {
  if (::geteuid() != 0) {
    WARN("not root: whiteouts (0/0 devices) and trusted.overlay xattrs need root; skipped");
    return;
  }
  core::TempDir tmp;
  const fs::path bottom = tmp.path() / "bottom", middle = tmp.path() / "middle",
                 top = tmp.path() / "top";
  // bottom: the base
  write(bottom / "out/a.txt", "a0");
  write(bottom / "out/gone.txt", "deleted above");
  write(bottom / "out/sub/old.txt", "hidden by an opaque dir");
  write(bottom / "big/f1", "not asked for");
  write(bottom / "usr/lib/libx.so", "lib");
  fs::create_directory_symlink("usr/lib", bottom / "lib");
  fs::create_directories(bottom / "etc");
  fs::create_symlink("/usr/lib/libx.so", bottom / "etc/abs-link");
  write(bottom / "was-dir/x", "x");
  // middle: changes a file, deletes one, makes sub opaque
  write(middle / "out/a.txt", "a1");
  whiteout(middle / "out/gone.txt");
  opaque(middle / "out/sub");
  write(middle / "out/sub/new.txt", "new");
  write(middle / "was-dir", "now a file");
  // top: adds a file
  write(top / "out/b.txt", "b2");
  ::chmod((top / "out").c_str(), 0750);
  const std::vector<fs::path> layers = {top, middle, bottom};

  SECTION("a directory: every layer's entries, whiteouts and opaque dirs applied") {
    fs::path dest = tmp.path() / "dest";
    materialize_union(layers, {"/out"}, dest);
    CHECK(listing(dest) == std::vector<std::string>{"out/", "out/a.txt", "out/b.txt", "out/sub/",
                                                    "out/sub/new.txt"});
    CHECK(read_text(dest / "out/a.txt") == "a1");
    struct stat st {};
    REQUIRE(::stat((dest / "out").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0750); // the top layer's mode
    // files are hard links into the snapshots: no data copied
    struct stat linked {}, original {};
    REQUIRE(::stat((dest / "out/a.txt").c_str(), &linked) == 0);
    REQUIRE(::stat((middle / "out/a.txt").c_str(), &original) == 0);
    CHECK(linked.st_ino == original.st_ino);
  }
  SECTION("symlinks on the way are kept and followed inside the union") {
    fs::path dest = tmp.path() / "dest";
    materialize_union(layers, {"/lib/libx.so", "/etc/abs-link"}, dest);
    CHECK(listing(dest) == std::vector<std::string>{"etc/", "etc/abs-link -> /usr/lib/libx.so",
                                                    "lib -> usr/lib", "usr/", "usr/lib/",
                                                    "usr/lib/libx.so"});
    CHECK(read_text(dest / "lib/libx.so") == "lib");
  }
  SECTION("a file that replaced a directory, and a path that is not there") {
    fs::path dest = tmp.path() / "dest";
    materialize_union(layers, {"/was-dir", "/out/gone.txt", "/nothing/here"}, dest);
    CHECK(listing(dest) == std::vector<std::string>{"was-dir"});
    CHECK(read_text(dest / "was-dir") == "now a file");
  }
  SECTION("the root: everything") {
    fs::path dest = tmp.path() / "dest";
    materialize_union(layers, {"/"}, dest);
    std::vector<std::string> all = listing(dest);
    CHECK(std::count(all.begin(), all.end(), "big/f1") == 1);
    CHECK(std::count(all.begin(), all.end(), "out/gone.txt") == 0);
    CHECK(std::count(all.begin(), all.end(), "out/sub/old.txt") == 0);
    CHECK(std::count(all.begin(), all.end(), "was-dir") == 1);
  }
}
