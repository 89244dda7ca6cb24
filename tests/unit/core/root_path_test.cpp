#include "core/root_path.h"

#include "core/temp_dir.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>

#include <filesystem>

namespace fs = std::filesystem;

namespace {

/// The inode of what `fd` refers to, to compare with a path's.
ino_t inode_of(int fd) {
  struct stat st {};
  ::fstat(fd, &st);
  return st.st_ino;
}

ino_t inode_of(const fs::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_ino;
}

} // namespace

TEST_CASE("open_dir_in_root resolves symlinks as the container sees them", "[core][root]") {
  core::TempDir dir;
  fs::path root = dir.path() / "root";
  fs::create_directories(root / "usr" / "lib");
  fs::create_directories(dir.path() / "outside" / "lib");
  fs::create_symlink("usr/lib", root / "lib");      // relative, inside
  fs::create_symlink("/usr", root / "abs");         // absolute: restarts at the root
  fs::create_symlink("../../outside", root / "up"); // climbs out
  fs::create_symlink("loop2", root / "loop1");
  fs::create_symlink("loop1", root / "loop2");
  core::UniqueFd root_fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  REQUIRE(root_fd);

  using core::CreateMissing;
  CHECK(inode_of(core::open_dir_in_root(root_fd.get(), "lib", CreateMissing::no).get()) ==
        inode_of(root / "usr" / "lib"));
  CHECK(inode_of(core::open_dir_in_root(root_fd.get(), "abs/lib", CreateMissing::no).get()) ==
        inode_of(root / "usr" / "lib"));
  CHECK(inode_of(core::open_dir_in_root(root_fd.get(), ".", CreateMissing::no).get()) ==
        inode_of(root));
  CHECK_THROWS_WITH(core::open_dir_in_root(root_fd.get(), "up/lib", CreateMissing::no),
                    "path escapes root through symlink 'up' -> '../../outside'");
  CHECK_THROWS_AS(core::open_dir_in_root(root_fd.get(), "usr/../..", CreateMissing::no),
                  core::PathEscapeError);
  CHECK_THROWS_WITH(core::open_dir_in_root(root_fd.get(), "loop1", CreateMissing::no),
                    Catch::Contains("too many levels of symlinks"));
  CHECK_THROWS_AS(core::open_dir_in_root(root_fd.get(), "new/dir", CreateMissing::no), core::Error);
  core::open_dir_in_root(root_fd.get(), "abs/new/dir", CreateMissing::yes);
  CHECK(fs::is_directory(root / "usr" / "new" / "dir"));
  CHECK_FALSE(fs::exists(dir.path() / "usr"));
}
