#include "core/archive_index.h"
#include "core/error.h"

#include "tests/unit/core/image_formats_support.h"

#include <catch2/catch.hpp>

namespace fs = std::filesystem;
using namespace test_support;

TEST_CASE("ArchiveIndex lists members with offsets, long names and symlinks",
          "[core][archive_index]") {
  core::TempDir dir;
  std::string long_name(150, 'd');
  long_name += '/';
  long_name.append(120, 'f');
  std::string tar = make_tar({{"./a.txt", "alpha"}, {long_name, std::string(70000, 'L')}},
                             {{"dir/link", "../a.txt"}, {"escape", "../../etc/passwd"}});
  write_file(dir.path() / "t.tar", tar);
  core::ArchiveIndex index = core::ArchiveIndex::open(dir.path() / "t.tar");
  REQUIRE(index.find("a.txt"));
  CHECK(index.find("a.txt")->size == 5);
  CHECK(tar.substr(index.find("a.txt")->offset, 5) == "alpha");
  const core::ArchiveMember* big = index.find(long_name);
  REQUIRE(big);
  CHECK(big->size == 70000);
  CHECK(index.read_member(long_name) == std::string(70000, 'L'));
  CHECK(index.find("dir/link")->type == '2');
  CHECK(index.resolve("dir/link") == index.find("a.txt"));
  CHECK(index.resolve("escape") == nullptr);
  CHECK(index.read_member("./dir//link") == "alpha");
  CHECK_THROWS_WITH(index.read_member("nope"), "t.tar: nope: missing");
  CHECK_THROWS_WITH(index.read_member(long_name, 100), Catch::Contains("larger than the limit"));
}

TEST_CASE("ArchiveIndex rejects what is not a plain tar", "[core][archive_index]") {
  core::TempDir dir;
  fs::path path = dir.path() / "image.tar";
  std::string tar = make_tar({{"manifest.json", "[]"}, {"blob", std::string(5000, 'b')}});

  std::string junk = "this is not a tar archive at all";
  junk.resize(632, ' ');
  write_file(path, junk);
  CHECK_THROWS_WITH(core::ArchiveIndex::open(path), "image.tar: not a tar archive");
  write_file(path, gzip(tar));
  CHECK_THROWS_WITH(core::ArchiveIndex::open(path),
                    "image.tar: compressed (gzip); expected a plain tar archive");
  write_file(path, "");
  CHECK_THROWS_WITH(core::ArchiveIndex::open(path), "image.tar: not a tar archive (too short)");
  write_file(path, tar.substr(0, 512 + 512 + 1000)); // cut inside 'blob'
  CHECK_THROWS_WITH(core::ArchiveIndex::open(path),
                    Catch::StartsWith("image.tar: member 'blob': truncated"));
  std::string corrupt = tar;
  corrupt[1024 + 10] ^= 0x20; // the second header's name: checksum no longer matches
  write_file(path, corrupt);
  CHECK_THROWS_WITH(core::ArchiveIndex::open(path), "image.tar: corrupt tar header at offset 1024");
  CHECK_THROWS_AS(core::ArchiveIndex::open(path), core::InputError);
}
