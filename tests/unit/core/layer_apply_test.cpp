#include "core/layer_apply.h"

#include "core/error.h"
#include "core/layer_writer.h"
#include "core/temp_dir.h"
#include "layer_test_support.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

using namespace layer_test;
using core::TarEntry;
using core::TarEntryType;

namespace {

core::ApplyResult apply_tar(std::string_view tar, const fs::path& root) {
  core::MemoryInputStream in(tar);
  return core::apply_layer(in, root, "layer sha256:abc");
}

std::string apply_error(std::string_view tar, const fs::path& root) {
  try {
    apply_tar(tar, root);
  } catch (const core::InputError& e) {
    return e.what();
  }
  return "no error";
}

TarEntry dir_entry(std::string path) {
  return typed_entry(std::move(path), TarEntryType::directory);
}

} // namespace

TEST_CASE("apply_layer recreates a written tree exactly", "[core][apply]") {
  core::TempDir dir;
  fs::path src = dir.path() / "src";
  fs::create_directories(src / "etc" / "sub");
  fs::create_directories(src / "bin");
  write_file(src / "etc" / "passwd", "root:x:0:0\n");
  write_file(src / "bin" / "tool", sample_bytes(2'500'000));
  fs::create_hard_link(src / "bin" / "tool", src / "bin" / "alias");
  fs::create_symlink("/etc/passwd", src / "bin" / "link");
  ::mkfifo((src / "etc" / "fifo").c_str(), 0600);
  ::chmod((src / "etc" / "sub").c_str(), 0555);
  ::chmod((src / "bin" / "tool").c_str(), 02711);
  ::setxattr((src / "bin" / "tool").c_str(), "user.x", "v", 1, 0);
  if (::geteuid() == 0) {
    ::mknod((src / "etc" / "blk").c_str(), S_IFBLK | 0660, makedev(7, 1));
    ::lchown((src / "etc" / "passwd").c_str(), 42, 43);
    ::lchown((src / "bin" / "link").c_str(), 44, 45);
    std::string cap(
        "\x01\x00\x00\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 20);
    ::setxattr((src / "bin" / "tool").c_str(), "security.capability", cap.data(), cap.size(), 0);
  }
  for (const char* p : {"etc/passwd", "bin/link", "etc/sub", "etc", "bin"}) {
    timespec t[2] = {{1500000000, 0}, {1500000000, 0}};
    ::utimensat(AT_FDCWD, (src / p).c_str(), t, AT_SYMLINK_NOFOLLOW);
  }
  for (auto c : {core::Compression::none, core::Compression::gzip, core::Compression::zstd}) {
    INFO(core::to_string(c));
    std::string blob;
    core::StringOutputStream sink(blob);
    core::LayerWriterOptions options;
    options.compression = c;
    core::LayerWriter writer(sink, options);
    writer.add_tree(src);
    writer.finish();
    fs::path out = dir.path() / ("out-" + std::string(core::to_string(c)));
    fs::create_directory(out);
    auto result = apply_tar(blob, out);
    CHECK(result.notes.empty());
    auto want = snapshot(src);
    auto got = snapshot(out);
    REQUIRE(got.size() == want.size());
    for (const auto& [path, node] : want) {
      INFO(path);
      CHECK(got[path] == node);
    }
    CHECK(got["bin/alias"].ino == got["bin/tool"].ino);
  }
}

TEST_CASE("whiteouts remove lower paths; opaque dirs keep this layer's entries", "[core][apply]") {
  core::TempDir dir;
  fs::path root = dir.path();
  apply_tar(make_tar({{dir_entry("a"), ""},
                      {file_entry("a/file1", "1"), "1"},
                      {file_entry("a/file2", "2"), "2"},
                      {dir_entry("b"), ""},
                      {file_entry("b/x", "x"), "x"},
                      {dir_entry("c"), ""},
                      {dir_entry("c/d"), ""},
                      {file_entry("c/d/e", "e"), "e"},
                      {file_entry("c/lower", "l"), "l"},
                      {file_entry("keep", "k"), "k"}}),
            root);
  // In byte order "c/-early" comes before the opaque marker and "c/new" after it.
  auto result = apply_tar(make_tar({{file_entry("a/.wh.file1", ""), ""},
                                    {file_entry("a/.wh.file2", ""), ""},
                                    {file_entry("a/file2", "new2"), "new2"},
                                    {file_entry(".wh.b", ""), ""},
                                    {file_entry("c/-early", "E"), "E"},
                                    {file_entry("c/.wh..wh..opq", ""), ""},
                                    {file_entry("c/new", "N"), "N"},
                                    {file_entry(".wh.missing", ""), ""},
                                    {file_entry("nodir/.wh.x", ""), ""}}),
                          root);
  CHECK(result.whiteouts == 6); // missing targets count too
  auto tree = snapshot(root);
  std::vector<std::string> paths;
  for (auto& [p, n] : tree) {
    paths.push_back(p);
  }
  CHECK(paths == std::vector<std::string>{"a", "a/file2", "c", "c/-early", "c/new", "keep"});
  CHECK(tree["a/file2"].content == "new2"); // a whiteout spares its own layer
}

TEST_CASE("an entry replaces what is there; two directories merge", "[core][apply]") {
  core::TempDir dir;
  fs::path root = dir.path();
  apply_tar(make_tar({{dir_entry("d"), ""},
                      {file_entry("d/child", "c"), "c"},
                      {file_entry("f", "file"), "file"},
                      {dir_entry("g"), ""},
                      {file_entry("g/inner", "i"), "i"}}),
            root);
  TarEntry d = dir_entry("d");
  d.mode = 0700;
  apply_tar(
      make_tar({{d, ""}, {dir_entry("f"), ""}, {typed_entry("g", TarEntryType::symlink, "d"), ""}}),
      root);
  auto tree = snapshot(root);
  CHECK(tree["d/child"].content == "c");
  CHECK((tree["d"].mode & 07777) == 0700);
  CHECK(S_ISDIR(tree["f"].mode));
  CHECK(S_ISLNK(tree["g"].mode));
  CHECK_FALSE(tree.count("g/inner"));
}

TEST_CASE("apply_layer refuses entries that would land outside the root", "[core][apply]") {
  core::TempDir dir;
  fs::path root = dir.path() / "root";
  fs::create_directory(root);
  write_file(dir.path() / "victim", "safe");
  auto outside_untouched = [&] {
    std::vector<std::string> names;
    for (auto& e : fs::directory_iterator(dir.path())) {
      names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names == std::vector<std::string>{"root", "victim"} &&
           read_file(dir.path() / "victim") == "safe";
  };

  SECTION("dot-dot in the name") {
    CHECK(apply_error(make_tar({{file_entry("etc/../../victim", "x"), "x"}}), root) ==
          "layer sha256:abc: entry 'etc/../../victim': path escapes root");
  }
  SECTION("a symlink in the parent chain that climbs out") {
    CHECK(apply_error(make_tar({{typed_entry("evil", TarEntryType::symlink, "../.."), ""},
                                {file_entry("evil/victim", "x"), "x"}}),
                      root) == "layer sha256:abc: entry 'evil/victim': path escapes root "
                               "through symlink 'evil' -> '../..'");
  }
  SECTION("a symlink planted by a lower layer") {
    apply_tar(make_tar({{dir_entry("d"), ""},
                        {typed_entry("d/up", TarEntryType::symlink, "../../"), ""}}),
              root);
    CHECK_THAT(apply_error(make_tar({{file_entry("d/up/victim", "x"), "x"}}), root),
               Catch::Contains("entry 'd/up/victim': path escapes root through symlink"));
  }
  SECTION("a whiteout through a symlink") {
    apply_tar(make_tar({{typed_entry("evil", TarEntryType::symlink, ".."), ""}}), root);
    CHECK_THAT(apply_error(make_tar({{file_entry("evil/.wh.victim", ""), ""}}), root),
               Catch::Contains("path escapes root"));
  }
  SECTION("a hardlink to outside") {
    CHECK(apply_error(make_tar({{typed_entry("h", TarEntryType::hardlink, "../victim"), ""}}),
                      root) == "layer sha256:abc: entry 'h': hardlink target '../victim' "
                               "escapes root");
    CHECK_THAT(apply_error(make_tar({{typed_entry("up", TarEntryType::symlink, "../.."), ""},
                                     {typed_entry("h", TarEntryType::hardlink, "up/victim"), ""}}),
                           root),
               Catch::Contains("entry 'h': path escapes root through symlink 'up'"));
  }
  SECTION("absolute names and absolute symlinks stay inside") {
    apply_tar(make_tar({{typed_entry("abs", TarEntryType::symlink, "/"), ""},
                        {file_entry("/top", "t"), "t"},
                        {file_entry("abs/victim", "inside"), "inside"}}),
              root);
    CHECK(read_file(root / "top") == "t");
    CHECK(read_file(root / "victim") == "inside");
  }
  CHECK(outside_untouched());
}

TEST_CASE("apply_layer names a corrupt layer", "[core][apply]") {
  core::TempDir dir;
  std::string tar = make_tar({{file_entry("big", std::string(3000, 'b')), std::string(3000, 'b')}});
  CHECK(apply_error(tar.substr(0, 1500), dir.path()) ==
        "layer sha256:abc: entry 'big': unexpected end of archive (truncated data)");
  CHECK(apply_error(make_tar({{file_entry("a/.wh.", ""), ""}}), dir.path()) ==
        "layer sha256:abc: entry 'a/.wh.': whiteout without a name");
}

TEST_CASE("apply_layer leaves ownership alone when asked to", "[core][apply]") {
  core::TempDir dir;
  TarEntry f = file_entry("f", "x");
  f.uid = 4321;
  f.gid = 4321;
  std::string tar = make_tar({{f, "x"}});
  core::MemoryInputStream in(tar);
  core::ApplyOptions options;
  options.ownership = core::Ownership::ignore;
  core::apply_layer(in, dir.path(), "layer", options);
  auto tree = snapshot(dir.path());
  CHECK(tree["f"].uid == ::geteuid());
  if (::geteuid() == 0) {
    core::MemoryInputStream again(tar);
    options.ownership = core::Ownership::preserve;
    core::apply_layer(again, dir.path(), "layer", options);
    CHECK(snapshot(dir.path())["f"].uid == 4321);
  }
}

TEST_CASE("apply_layer names the entry when its parent is not a directory", "[core][apply]") {
  core::TempDir dir;
  apply_tar(make_tar({{file_entry("f", "x"), "x"}}), dir.path());
  try {
    apply_tar(make_tar({{file_entry("f/child", "y"), "y"}}), dir.path());
    FAIL("expected an error");
  } catch (const core::Error& e) {
    CHECK(std::string(e.what()) ==
          "layer sha256:abc: entry 'f/child': open directory 'f': not a directory");
  }
}
