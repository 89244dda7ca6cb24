#include "core/layer_writer.h"

#include "core/error.h"
#include "core/tar_reader.h"
#include "core/temp_dir.h"
#include "layer_test_support.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

using namespace layer_test;
using core::Compression;
using core::TarEntryType;

namespace {

void set_mtime(const fs::path& p, std::int64_t t) {
  timespec times[2] = {{t, 0}, {t, 0}};
  ::utimensat(AT_FDCWD, p.c_str(), times, AT_SYMLINK_NOFOLLOW);
}

/// A tree with one of everything the writer handles. Devices need root.
void make_tree(const fs::path& root, std::int64_t mtime) {
  fs::create_directories(root / "etc" / "sub");
  fs::create_directories(root / "bin");
  write_file(root / "etc" / "passwd", "root:x:0:0::/root:/bin/sh\n");
  write_file(root / "bin" / "tool", sample_bytes(300'000));
  fs::permissions(root / "bin" / "tool", fs::perms(04755), fs::perm_options::replace);
  fs::create_hard_link(root / "bin" / "tool", root / "bin" / "tool-alias");
  fs::create_symlink("../etc/passwd", root / "bin" / "link");
  write_file(root / "etc" / "sub" / "empty", "");
  ::mkfifo((root / "etc" / "fifo").c_str(), 0640);
  if (::geteuid() == 0) {
    ::mknod((root / "etc" / "null").c_str(), S_IFCHR | 0666, makedev(1, 3));
    ::lchown((root / "etc" / "passwd").c_str(), 1234, 5678);
  }
  std::string cap(
      "\x01\x00\x00\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 20);
  ::setxattr((root / "bin" / "tool").c_str(), "security.capability", cap.data(), cap.size(), 0);
  ::setxattr((root / "bin" / "tool").c_str(), "user.a", "1", 1, 0);
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it) {
    set_mtime(it->path(), mtime);
  }
  set_mtime(root, mtime);
}

struct Written {
  std::string blob;
  core::LayerResult result;
};

Written write_layer(const fs::path& tree, Compression c, std::optional<std::int64_t> epoch = {},
                    core::CompressThreading threading = core::CompressThreading::own_thread) {
  std::string blob;
  core::StringOutputStream sink(blob);
  core::LayerWriterOptions options;
  options.compression = c;
  options.source_date_epoch = epoch;
  options.threading = threading;
  core::LayerWriter writer(sink, options);
  writer.add_tree(tree);
  auto result = writer.finish();
  return {blob, result};
}

} // namespace

TEST_CASE("LayerWriter writes a tree sorted, with every entry type", "[core][layer]") {
  core::TempDir dir;
  make_tree(dir.path() / "t", 1600000000);
  auto [blob, result] = write_layer(dir.path() / "t", Compression::none);
  auto entries = read_tar(blob);
  std::vector<std::string> paths;
  for (auto& [e, data] : entries) {
    paths.push_back(e.path);
  }
  CHECK(std::is_sorted(paths.begin(), paths.end()));
  std::map<std::string, std::pair<core::TarEntry, std::string>> by;
  for (auto& e : entries) {
    by[e.first.path] = e;
  }
  CHECK(by["etc"].first.type == TarEntryType::directory);
  CHECK(by["etc/passwd"].second == "root:x:0:0::/root:/bin/sh\n");
  CHECK(by["etc/passwd"].first.mtime == 1600000000);
  CHECK(by["bin/tool"].first.mode == 04755);
  CHECK(by["bin/tool"].second == sample_bytes(300'000));
  // The first path of an inode in byte order carries the data.
  CHECK(by["bin/tool-alias"].first.type == TarEntryType::hardlink);
  CHECK(by["bin/tool-alias"].first.link_target == "bin/tool");
  CHECK(by["bin/link"].first.type == TarEntryType::symlink);
  CHECK(by["bin/link"].first.link_target == "../etc/passwd");
  CHECK(by["etc/fifo"].first.type == TarEntryType::fifo);
  CHECK(by["etc/fifo"].first.mode == 0640);
  if (::geteuid() == 0) {
    CHECK(by["etc/null"].first.type == TarEntryType::char_device);
    CHECK(by["etc/null"].first.dev_major == 1);
    CHECK(by["etc/null"].first.dev_minor == 3);
    CHECK(by["etc/passwd"].first.uid == 1234);
    CHECK(by["etc/passwd"].first.gid == 5678);
    auto& x = by["bin/tool"].first.xattrs;
    REQUIRE(x.size() == 2);
    CHECK(x[0].first == "security.capability");
    CHECK(x[0].second.size() == 20);
    CHECK(x[1] == std::pair<std::string, std::string>("user.a", "1"));
  } else {
    WARN("not root: device, owner and capability checks skipped");
  }
  CHECK(result.entry_count == entries.size());
  CHECK(result.uncompressed_size == blob.size());
  CHECK(result.diff_id == core::sha256_of(blob));
  CHECK(result.digest == result.diff_id);
}

TEST_CASE("LayerWriter computes diff_id, digest and size in one pass", "[core][layer]") {
  core::TempDir dir;
  make_tree(dir.path() / "t", 1600000000);
  auto plain = write_layer(dir.path() / "t", Compression::none);
  for (Compression c : {Compression::gzip, Compression::zstd}) {
    INFO(core::to_string(c));
    auto [blob, result] = write_layer(dir.path() / "t", c);
    CHECK(result.compression == c);
    CHECK(result.size == blob.size());
    CHECK(result.digest == core::sha256_of(blob));
    CHECK(result.diff_id == plain.result.diff_id);
    core::MemoryInputStream in(blob);
    auto tar = core::open_decompressed(in, "blob");
    CHECK(tar.compression == c);
    CHECK(core::sha256_of(core::read_all(*tar.stream, "blob", 1 << 30)) == result.diff_id);
  }
}

TEST_CASE("LayerWriter output is byte-identical for the same tree", "[core][layer]") {
  core::TempDir dir;
  make_tree(dir.path() / "a", 1600000000);
  make_tree(dir.path() / "b", 1600000000);
  for (Compression c : {Compression::none, Compression::gzip, Compression::zstd}) {
    INFO(core::to_string(c));
    auto first = write_layer(dir.path() / "a", c);
    CHECK(write_layer(dir.path() / "a", c).blob == first.blob);
    CHECK(write_layer(dir.path() / "b", c).blob == first.blob); // other inodes, same content
    CHECK(write_layer(dir.path() / "a", c, {}, core::CompressThreading::same_thread).blob ==
          first.blob);
  }
}

TEST_CASE("SOURCE_DATE_EPOCH clamps mtimes so trees touched at other times match",
          "[core][layer]") {
  core::TempDir dir;
  make_tree(dir.path() / "a", 1600000000);
  make_tree(dir.path() / "b", 1700000000);
  auto unclamped_a = write_layer(dir.path() / "a", Compression::zstd);
  auto unclamped_b = write_layer(dir.path() / "b", Compression::zstd);
  CHECK(unclamped_a.result.diff_id != unclamped_b.result.diff_id);
  auto a = write_layer(dir.path() / "a", Compression::zstd, 1500000000);
  auto b = write_layer(dir.path() / "b", Compression::zstd, 1500000000);
  CHECK(a.result.diff_id == b.result.diff_id);
  CHECK(a.result.digest == b.result.digest);
  for (auto& [e, data] : read_tar(a.blob)) {
    CHECK(e.mtime == 1500000000);
  }
  // Older files keep their own time.
  auto later = write_layer(dir.path() / "a", Compression::none, 1650000000);
  CHECK(read_tar(later.blob)[0].first.mtime == 1600000000);

  ::setenv("SOURCE_DATE_EPOCH", "1500000000", 1);
  CHECK(core::source_date_epoch_from_env() == 1500000000);
  ::setenv("SOURCE_DATE_EPOCH", "yesterday", 1);
  CHECK_THROWS_AS(core::source_date_epoch_from_env(), core::InputError);
  ::unsetenv("SOURCE_DATE_EPOCH");
  CHECK_FALSE(core::source_date_epoch_from_env());
}

TEST_CASE("LayerWriter writes a changeset with whiteouts and skips sockets", "[core][layer]") {
  core::TempDir dir;
  write_file(dir.path() / "new.txt", "new");
  fs::create_directory(dir.path() / "d");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string sock = (dir.path() / "s.sock").string();
  std::strncpy(addr.sun_path, sock.c_str(), sizeof addr.sun_path - 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  ::close(fd);

  std::string blob;
  core::StringOutputStream sink(blob);
  core::LayerWriterOptions options;
  options.compression = Compression::none;
  core::LayerWriter writer(sink, options);
  writer.add_path("/usr/share/new.txt", dir.path() / "new.txt");
  writer.add_path("usr/share", dir.path() / "d");
  writer.add_whiteout("usr/share/old.txt");
  writer.add_opaque_whiteout("var/cache");
  writer.add_path("run/s.sock", sock);
  CHECK_THROWS_AS(writer.add_path("../x", dir.path() / "new.txt"), core::Error);
  auto result = writer.finish();
  auto entries = read_tar(blob);
  REQUIRE(entries.size() == 4);
  CHECK(entries[0].first.path == "usr/share");
  CHECK(entries[1].first.path == "usr/share/.wh.old.txt");
  CHECK(entries[1].first.type == TarEntryType::regular);
  CHECK(entries[1].first.size == 0);
  CHECK(entries[2].first.path == "usr/share/new.txt");
  CHECK(entries[3].first.path == "var/cache/.wh..wh..opq");
  REQUIRE(result.notes.size() == 1);
  CHECK(result.notes[0] == "skipped socket 'run/s.sock'");
}

TEST_CASE("LayerWriter names a file it cannot read", "[core][layer]") {
  core::TempDir dir;
  std::string blob;
  core::StringOutputStream sink(blob);
  core::LayerWriter writer(sink, core::LayerWriterOptions{});
  writer.add_path("gone", dir.path() / "gone");
  CHECK_THROWS_WITH(writer.finish(),
                    "lstat '" + (dir.path() / "gone").string() + "': No such file or directory");
}

TEST_CASE("GNU tar, gzip -d and zstd -d read LayerWriter blobs", "[core][layer][interop]") {
  if (!have_tool("tar") || !have_tool("zstd") || !have_tool("gzip")) {
    WARN("tar, gzip or zstd missing; skipping");
    return;
  }
  core::TempDir dir;
  make_tree(dir.path() / "t", 1600000000);
  auto plain = write_layer(dir.path() / "t", Compression::none);
  for (auto [c, tool] : {std::pair{Compression::gzip, std::string("gzip -dc")},
                         std::pair{Compression::zstd, std::string("zstd -qdc")}}) {
    auto [blob, result] = write_layer(dir.path() / "t", c);
    fs::path file = dir.path() / "layer.blob";
    write_file(file, blob);
    int status = 0;
    std::string tar = run_shell(tool + " '" + file.string() + "'", status);
    CHECK(status == 0);
    CHECK(tar == plain.blob);
    std::string listing = run_shell(tool + " '" + file.string() + "' | tar -tvf - 2>&1", status);
    CHECK(status == 0);
    CHECK_THAT(listing, Catch::Contains("bin/tool-alias link to bin/tool"));
  }
}
