#include "core/tar_writer.h"

#include "core/error.h"
#include "core/temp_dir.h"
#include "layer_test_support.h"

#include <catch2/catch.hpp>

using namespace layer_test;
using core::TarEntry;
using core::TarEntryType;

namespace {

/// One entry of every type, plus names and values ustar cannot hold.
std::vector<std::pair<TarEntry, std::string>> every_kind_of_entry() {
  std::vector<std::pair<TarEntry, std::string>> v;
  TarEntry dir = typed_entry("dir", TarEntryType::directory);
  dir.mtime = 1700000000;
  dir.uid = 1000;
  dir.gid = 1000;
  v.emplace_back(dir, "");
  TarEntry file = file_entry("dir/file.txt", "hello\n", 04755);
  file.xattrs = {{"security.capability", std::string("\x01\x00\x00\x02\x00\x20\x00\x00", 8)},
                 {"user.comment", "a=b\nc"}};
  file.mtime = 1234567890;
  v.emplace_back(file, "hello\n");
  v.emplace_back(typed_entry("dir/hard", TarEntryType::hardlink, "dir/file.txt"), "");
  v.emplace_back(typed_entry("dir/sym", TarEntryType::symlink, "../etc/passwd"), "");
  TarEntry chr = typed_entry("dev/null", TarEntryType::char_device);
  chr.dev_major = 1;
  chr.dev_minor = 3;
  v.emplace_back(chr, "");
  TarEntry blk = typed_entry("dev/loop0", TarEntryType::block_device);
  blk.dev_major = 7;
  blk.dev_minor = 0;
  v.emplace_back(blk, "");
  v.emplace_back(typed_entry("run/fifo", TarEntryType::fifo), "");
  std::string long_dir(120, 'd');
  std::string long_name = long_dir + "/" + std::string(90, 'n'); // fits prefix + name
  v.emplace_back(file_entry(long_name, "x"), "x");
  std::string very_long = long_dir + "/" + std::string(150, 'v'); // needs PAX path
  v.emplace_back(file_entry(very_long, "yy"), "yy");
  v.emplace_back(typed_entry(long_dir + "/" + std::string(40, 'e'), TarEntryType::directory), "");
  v.emplace_back(typed_entry("longlink", TarEntryType::symlink, std::string(200, 't')), "");
  TarEntry big_ids = file_entry("big-ids", "");
  big_ids.uid = 3'000'000; // over 7 octal digits
  big_ids.gid = 4'000'000;
  v.emplace_back(big_ids, "");
  return v;
}

} // namespace

TEST_CASE("TarWriter output reads back field for field", "[core][tar]") {
  auto entries = every_kind_of_entry();
  auto back = read_tar(make_tar(entries));
  REQUIRE(back.size() == entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    INFO(entries[i].first.path);
    CHECK(back[i].first == entries[i].first);
    CHECK(back[i].second == entries[i].second);
  }
}

TEST_CASE("TarWriter writes plain ustar headers when nothing needs PAX", "[core][tar]") {
  std::string tar = make_tar({{file_entry("a.txt", "abc"), "abc"}});
  REQUIRE(tar.size() == 512 + 512 + 1024);
  CHECK(tar.substr(0, 6) == std::string("a.txt\0", 6));
  CHECK(tar.substr(100, 8) == std::string("0000644\0", 8));
  CHECK(tar.substr(124, 12) == std::string("00000000003\0", 12));
  CHECK(tar[156] == '0');
  CHECK(tar.substr(257, 8) == std::string("ustar\0"
                                          "00",
                                          8));
  CHECK(tar.substr(265, 64) == std::string(64, '\0')); // no user or group names
  CHECK(tar.substr(512, 3) == "abc");
  CHECK(tar.substr(1024) == std::string(1024, '\0'));
  // Directories get a trailing slash, as Docker writes them.
  std::string dir = make_tar({{typed_entry("d", TarEntryType::directory), ""}});
  CHECK(dir.substr(0, 3) == std::string("d/\0", 3));
}

TEST_CASE("TarWriter refuses data that does not match the entry size", "[core][tar]") {
  std::string out;
  core::StringOutputStream sink(out);
  core::TarWriter tar(sink);
  tar.write_header(file_entry("f", "abc"));
  CHECK_THROWS_WITH(tar.write_data("abcd", 4), "write tar entry 'f': more data than its size");
  tar.write_data("ab", 2);
  CHECK_THROWS_WITH(tar.finish(), "write tar entry 'f': 1 bytes of data missing");
}

TEST_CASE("GNU tar lists and extracts what TarWriter writes", "[core][tar][interop]") {
  if (!have_tool("tar")) {
    WARN("GNU tar not installed; skipping interop check");
    return;
  }
  core::TempDir dir;
  auto entries = every_kind_of_entry();
  write_file(dir.path() / "t.tar", make_tar(entries));
  int status = 0;
  std::string listing =
      run_shell("tar -tvf '" + (dir.path() / "t.tar").string() + "' 2>&1", status);
  CHECK(status == 0);
  for (const auto& [e, data] : entries) {
    CHECK_THAT(listing, Catch::Contains(e.path));
  }
  CHECK_THAT(listing, Catch::Contains("dir/hard link to dir/file.txt"));
  CHECK_THAT(listing, Catch::Contains("3000000/4000000"));
  if (::geteuid() != 0) {
    WARN("not root: skipping extraction of devices and owners");
    return;
  }
  fs::create_directory(dir.path() / "x");
  run_shell("tar --xattrs --xattrs-include='*' -C '" + (dir.path() / "x").string() + "' -xpf '" +
                (dir.path() / "t.tar").string() + "' 2>&1",
            status);
  CHECK(status == 0);
  auto tree = snapshot(dir.path() / "x");
  CHECK(tree["dir/file.txt"].content == "hello\n");
  CHECK((tree["dir/file.txt"].mode & 07777) == 04755);
  CHECK(tree["dir/file.txt"].mtime == 1234567890);
  CHECK(tree["dir/hard"].ino == tree["dir/file.txt"].ino);
  CHECK(tree["dir/sym"].content == "../etc/passwd");
  CHECK(S_ISCHR(tree["dev/null"].mode));
  CHECK(tree["dev/null"].rdev == makedev(1, 3));
  CHECK(S_ISFIFO(tree["run/fifo"].mode));
  CHECK(tree["big-ids"].uid == 3'000'000);
  CHECK(tree[entries[8].first.path].content == "yy");
  CHECK(S_ISDIR(tree[entries[9].first.path].mode));
  CHECK(tree["longlink"].content == std::string(200, 't'));
  auto xattrs = tree["dir/file.txt"].xattrs;
  bool has_comment =
      std::find(xattrs.begin(), xattrs.end(),
                std::pair<std::string, std::string>("user.comment", "a=b\nc")) != xattrs.end();
  if (!has_comment) {
    WARN("user xattrs not extracted (filesystem without user xattrs?)");
  }
}
