#include "core/tar_reader.h"

#include "core/compression.h"
#include "core/error.h"
#include "core/tar_header.h"
#include "core/temp_dir.h"
#include "layer_test_support.h"

#include <catch2/catch.hpp>

#include <cstring>

using namespace layer_test;
using core::TarEntryType;

namespace {

void fix_checksum(std::string& tar, size_t header_offset) {
  auto* block = reinterpret_cast<unsigned char*>(tar.data() + header_offset);
  std::uint32_t sum = core::tar::header_checksum(block);
  char text[8];
  std::snprintf(text, sizeof text, "%06o", sum);
  std::memcpy(block + 148, text, 7);
  block[155] = ' ';
}

std::string read_error(std::string_view tar, core::TarReaderOptions options = {}) {
  core::MemoryInputStream in(tar);
  core::TarReader reader(in, "layer sha256:abc", options);
  try {
    while (reader.next()) {
      char buf[4096];
      while (reader.read_data(buf, sizeof buf) > 0) {
      }
    }
  } catch (const core::InputError& e) {
    return e.what();
  }
  return "no error";
}

} // namespace

TEST_CASE("TarReader reads GNU tar's gnu, posix and ustar formats", "[core][tar][interop]") {
  if (!have_tool("tar")) {
    WARN("GNU tar not installed; skipping");
    return;
  }
  core::TempDir dir;
  fs::path src = dir.path() / "src";
  std::string mid = std::string(90, 'm') + "/" + std::string(20, 'n'); // over 100 bytes
  fs::create_directories(src / "d" / mid);
  write_file(src / "d" / "f", "content");
  write_file(src / "d" / mid / "g", "deep");
  fs::create_symlink("f", src / "d" / "s");
  fs::create_hard_link(src / "d" / "f", src / "d" / "h");
  for (std::string format : {"gnu", "posix", "ustar"}) {
    INFO(format);
    int status = 0;
    fs::path out = dir.path() / (format + ".tar");
    run_shell("tar --format=" + format + " --sort=name -C '" + src.string() + "' -cf '" +
                  out.string() + "' d",
              status);
    REQUIRE(status == 0);
    auto data = read_file(out);
    auto entries = read_tar(data);
    std::map<std::string, std::pair<core::TarEntry, std::string>> by_path;
    for (auto& e : entries) {
      by_path[e.first.path] = e;
    }
    REQUIRE(by_path.count("d/f"));
    CHECK(by_path["d/f"].second == "content");
    CHECK(by_path["d"].first.type == TarEntryType::directory);
    CHECK(by_path["d/" + mid + "/g"].second == "deep");
    CHECK(by_path["d/s"].first.type == TarEntryType::symlink);
    CHECK(by_path["d/s"].first.link_target == "f");
    CHECK(by_path["d/h"].first.type == TarEntryType::hardlink);
    CHECK(by_path["d/h"].first.link_target == "d/f");
  }
}

TEST_CASE("TarReader sniffs gzip and zstd layers", "[core][tar]") {
  std::string tar = make_tar({{file_entry("a", "abc"), "abc"}});
  for (auto c : {core::Compression::none, core::Compression::gzip, core::Compression::zstd}) {
    std::string blob;
    core::StringOutputStream sink(blob);
    auto z = core::make_compressor(c, sink);
    z->write(tar);
    z->finish();
    core::MemoryInputStream in(blob);
    core::TarReader reader(in, "layer");
    auto e = reader.next();
    REQUIRE(e);
    CHECK(reader.compression() == c);
    CHECK(e->path == "a");
    char buf[8];
    CHECK(reader.read_data(buf, sizeof buf) == 3);
    CHECK_FALSE(reader.next());
  }
}

TEST_CASE("TarReader normalises names and tolerates missing end blocks", "[core][tar]") {
  std::string tar = make_tar({{file_entry("./a//b/", "x"), "x"}, {file_entry("/c", ""), ""}});
  auto entries = read_tar(tar.substr(0, tar.size() - 1024));
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].first.path == "a/b");
  CHECK(entries[1].first.path == "c");
}

TEST_CASE("TarReader refuses bad input with the entry named", "[core][tar]") {
  SECTION("not a tar") {
    CHECK(read_error(std::string(2048, 'x')) ==
          "layer sha256:abc: not a tar archive (bad header checksum)");
  }
  SECTION("truncated data") {
    std::string tar =
        make_tar({{file_entry("big", std::string(5000, 'a')), std::string(5000, 'a')}});
    CHECK(read_error(tar.substr(0, 2000)) ==
          "layer sha256:abc: entry 'big': unexpected end of archive (truncated data)");
  }
  SECTION("truncated header") {
    std::string tar = make_tar({{file_entry("a", ""), ""}, {file_entry("b", ""), ""}});
    CHECK(read_error(tar.substr(0, 700)) ==
          "layer sha256:abc: entry after 'a': unexpected end of archive (truncated header)");
  }
  SECTION("path escapes root") {
    std::string tar = make_tar({{file_entry("etc/../../x", ""), ""}});
    CHECK(read_error(tar) == "layer sha256:abc: entry 'etc/../../x': path escapes root");
  }
  SECTION("hardlink target escapes root") {
    std::string tar =
        make_tar({{typed_entry("l", TarEntryType::hardlink, "../../etc/shadow"), ""}});
    CHECK(read_error(tar) ==
          "layer sha256:abc: entry 'l': hardlink target '../../etc/shadow' escapes root");
  }
  SECTION("absurd size") {
    std::string tar = make_tar({{file_entry("huge", ""), ""}});
    tar[124] = static_cast<char>(0x80); // base-256: 2^80-ish bytes
    std::memset(tar.data() + 125, 0x7f, 11);
    fix_checksum(tar, 0);
    CHECK(read_error(tar) == "layer sha256:abc: entry 'huge': invalid size field");
    std::memset(tar.data() + 125, 0, 11);
    tar[128] = 0x01; // 2^56 bytes
    fix_checksum(tar, 0);
    CHECK_THAT(read_error(tar),
               Catch::StartsWith(
                   "layer sha256:abc: entry 'huge': size 72057594037927936 exceeds the limit"));
  }
  SECTION("corrupt header after an entry") {
    std::string tar = make_tar({{file_entry("a", "1"), "1"}, {file_entry("b", ""), ""}});
    tar[1024] = 'Z';
    CHECK(read_error(tar) ==
          "layer sha256:abc: entry after 'a': corrupt tar header (bad checksum)");
  }
  SECTION("malformed PAX header") {
    core::TarEntry e = file_entry("p", "");
    e.xattrs = {{"user.x", "y"}};
    std::string tar = make_tar({{e, ""}});
    tar[512] = 'q'; // the record length
    CHECK_THAT(read_error(tar), Catch::Contains("malformed PAX header"));
  }
  SECTION("oversized PAX header") {
    core::TarEntry e = file_entry("p", "");
    e.xattrs = {{"user.big", std::string(5000, 'v')}};
    core::TarReaderOptions options;
    options.max_header_data = 4096;
    CHECK_THAT(read_error(make_tar({{e, ""}}), options),
               Catch::StartsWith("layer sha256:abc: first entry: PAX header of ") &&
                   Catch::EndsWith("bytes exceeds the limit of 4096"));
  }
  SECTION("unsupported type") {
    std::string tar = make_tar({{file_entry("s", ""), ""}});
    tar[156] = 'S';
    fix_checksum(tar, 0);
    CHECK(read_error(tar) == "layer sha256:abc: entry 's': unsupported entry type 'S'");
  }
  SECTION("too many entries") {
    core::TarReaderOptions options;
    options.max_entries = 1;
    std::string tar = make_tar({{file_entry("a", ""), ""}, {file_entry("b", ""), ""}});
    CHECK_THAT(read_error(tar, options), Catch::Contains("more than 1 entries"));
  }
  SECTION("a truncated compressed layer") {
    std::string tar = make_tar({{file_entry("a", sample_bytes(100000)), sample_bytes(100000)}});
    std::string blob;
    core::StringOutputStream sink(blob);
    auto z = core::make_compressor(core::Compression::gzip, sink);
    z->write(tar);
    z->finish();
    CHECK(read_error(blob.substr(0, blob.size() - 20)) ==
          "layer sha256:abc: gzip: unexpected end of stream (truncated)");
  }
}
