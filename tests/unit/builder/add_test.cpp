#include "builder/add_archive.h"
#include "builder/add_step.h"
#include "builder/build_metadata.h"
#include "builder/onbuild.h"
#include "builder/remote_file.h"
#include "core/compression.h"
#include "core/stream.h"
#include "core/temp_dir.h"
#include "test_util.h"

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace fs = std::filesystem;

namespace {

/// One ustar header block for `name` (type '0' file, '2' symlink).
std::string tar_header(const std::string& name, char type, size_t size,
                       const std::string& link = "") {
  std::string block(512, '\0');
  std::memcpy(block.data(), name.data(), name.size());
  std::snprintf(block.data() + 100, 8, "%07o", 0644);
  std::snprintf(block.data() + 108, 8, "%07o", 0);
  std::snprintf(block.data() + 116, 8, "%07o", 0);
  std::snprintf(block.data() + 124, 12, "%011zo", size);
  std::snprintf(block.data() + 136, 12, "%011o", 1600000000);
  block[156] = type;
  std::memcpy(block.data() + 157, link.data(), link.size());
  std::memcpy(block.data() + 257,
              "ustar\0"
              "00",
              8);
  std::memset(block.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : block) {
    sum += c;
  }
  std::snprintf(block.data() + 148, 8, "%06o", sum);
  return block;
}

/// A tar of regular files {name, content} and symlinks {name, "->target"}.
std::string make_tar(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string out;
  for (const auto& [name, content] : entries) {
    if (content.starts_with("->")) {
      out += tar_header(name, '2', 0, content.substr(2));
      continue;
    }
    out += tar_header(name, '0', content.size()) + content;
    out += std::string((512 - content.size() % 512) % 512, '\0');
  }
  return out + std::string(1024, '\0');
}

std::string compress(core::Compression compression, const std::string& data) {
  std::string out;
  core::StringOutputStream sink(out);
  std::unique_ptr<core::OutputStream> c = core::make_compressor(compression, sink);
  c->write(data.data(), data.size());
  c->finish();
  return out;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

} // namespace

TEST_CASE("url_file_name takes the last path segment, as Docker names downloads") {
  CHECK(builder::url_file_name("https://example.com/dl/tool-1.2.tar.gz") == "tool-1.2.tar.gz");
  CHECK(builder::url_file_name("http://example.com/dir/?x=1#frag") == "dir");
  CHECK(builder::url_file_name("http://example.com/a%20b.txt?q=/c") == "a b.txt");
  CHECK(builder::url_file_name("http://example.com/") == "__unnamed__");
  CHECK(builder::url_file_name("http://example.com") == "__unnamed__");
  CHECK(builder::is_remote_source("https://x/y"));
  CHECK_FALSE(builder::is_remote_source("ftp://x/y"));
  CHECK_FALSE(builder::is_remote_source("http.txt"));
}

TEST_CASE("ADD --checksum accepts sha256 only, for exactly one URL") {
  std::string hex(64, 'a');
  CHECK(builder::parse_add_checksum("sha256:" + hex).hex() == hex);
  CHECK_THROWS_WITH(builder::parse_add_checksum("md5:abc"),
                    "ADD --checksum=md5:abc: expected sha256:<64 lower-case hex digits>");

  dockerfile::AddInstruction add;
  add.checksum = "sha256:" + hex;
  builder::CopyPlan plan;
  plan.sources = {"http://h/a"};
  builder::prepare_add(add, plan);
  CHECK(plan.checksum->hex() == hex);
  plan.sources = {"local.txt"};
  CHECK_THROWS_WITH(builder::prepare_add(add, plan),
                    Catch::Contains("needs exactly one source, an http:// or https:// URL"));
  plan.sources = {"http://h/a", "http://h/b"};
  CHECK_THROWS(builder::prepare_add(add, plan));
}

TEST_CASE("remote_ingredients keys a URL by its --checksum without downloading") {
  core::TempDir dir;
  builder::RemoteFiles remote(dir.path());
  builder::CopyPlan plan;
  plan.sources = {"http://127.0.0.1:1/never-fetched", "local.txt"};
  plan.checksum = core::sha256_of("x");
  nlohmann::json key = builder::remote_ingredients(plan, remote);
  CHECK(key["http://127.0.0.1:1/never-fetched"]["checksum"] == core::sha256_of("x").str());
  plan.sources = {"local.txt"};
  CHECK(builder::remote_ingredients(plan, remote).is_null());
}

TEST_CASE("a refused download names the URL and leaves nothing behind") {
  core::TempDir dir;
  builder::RemoteFiles remote(dir.path());
  // Port 1 on loopback: nothing listens there, so the connection is refused.
  CHECK_THROWS_WITH(remote.fetch("http://127.0.0.1:1/x", std::nullopt),
                    Catch::StartsWith("ADD http://127.0.0.1:1/x: download failed: "));
  for (const auto& entry : fs::recursive_directory_iterator(dir.path())) {
    CHECK(!entry.is_regular_file()); // no partial file
  }
}

TEST_CASE("archives are told by content: plain, gzip and zstd tars; not other files") {
  core::TempDir dir;
  std::string tar = make_tar({{"dir/a.txt", "hello"}});
  builder::test::write(dir.path() / "plain", tar);
  builder::test::write(dir.path() / "gz", compress(core::Compression::gzip, tar));
  builder::test::write(dir.path() / "zst", compress(core::Compression::zstd, tar));
  builder::test::write(dir.path() / "text.gz", compress(core::Compression::gzip, "just text"));
  builder::test::write(dir.path() / "zeros", std::string(1024, '\0'));
  builder::test::write(dir.path() / "short", "x");
  builder::test::write(dir.path() / "empty", "");
  CHECK(builder::is_extractable_archive(dir.path() / "plain"));
  CHECK(builder::is_extractable_archive(dir.path() / "gz"));
  CHECK(builder::is_extractable_archive(dir.path() / "zst"));
  CHECK_FALSE(builder::is_extractable_archive(dir.path() / "text.gz"));
  CHECK_FALSE(builder::is_extractable_archive(dir.path() / "zeros"));
  CHECK_FALSE(builder::is_extractable_archive(dir.path() / "short"));
  CHECK_FALSE(builder::is_extractable_archive(dir.path() / "empty"));
  std::string corrupt = tar;
  corrupt[0] = 'X'; // the checksum no longer matches
  builder::test::write(dir.path() / "corrupt", corrupt);
  CHECK_FALSE(builder::is_extractable_archive(dir.path() / "corrupt"));
}

TEST_CASE("extract_archive keeps entries inside the destination") {
  core::TempDir dir;
  fs::path out = dir.path() / "out";
  fs::create_directories(out / "inner");

  SECTION("a '..' entry is refused") {
    builder::test::write(dir.path() / "a.tar", make_tar({{"../escaped", "x"}}));
    CHECK_THROWS_WITH(
        builder::extract_archive(dir.path() / "a.tar", out / "inner", std::nullopt, "a.tar"),
        Catch::Contains("escapes root"));
    CHECK_FALSE(fs::exists(out / "escaped"));
  }
  SECTION("a symlink to '/' cannot carry a file outside") {
    builder::test::write(dir.path() / "b.tar",
                         make_tar({{"link", "->/"}, {"link/planted", "x"}, {"up", "->../.."}}));
    builder::extract_archive(dir.path() / "b.tar", out / "inner", std::nullopt, "b.tar");
    CHECK(read_text(out / "inner" / "planted") == "x"); // "/" is the destination itself
    CHECK_FALSE(fs::exists(dir.path() / "planted"));
  }
  SECTION("'.wh.' names are ordinary files, and --chown replaces every owner") {
    builder::test::write(dir.path() / "c.tar", make_tar({{"d/.wh.keep", "kept"}}));
    builder::extract_archive(dir.path() / "c.tar", out, core::OwnerOverride{1234, 5678}, "c.tar");
    CHECK(read_text(out / "d" / ".wh.keep") == "kept");
    if (::geteuid() != 0) {
      WARN("not root: owners are not set, skipping the --chown check");
      return;
    }
    struct stat st {};
    REQUIRE(::lstat((out / "d" / ".wh.keep").c_str(), &st) == 0);
    CHECK(st.st_uid == 1234);
    CHECK(st.st_gid == 5678);
    CHECK((st.st_mode & 07777) == 0644);
    CHECK(st.st_mtime == 1600000000);
  }
}

TEST_CASE("ONBUILD triggers parse into instructions; refused ones are named") {
  std::vector<dockerfile::Instruction> triggers =
      builder::parse_onbuild_triggers({"RUN echo hi", "copy a /b"}, "base:1");
  REQUIRE(triggers.size() == 2);
  CHECK(triggers[0].keyword == "RUN");
  CHECK(triggers[1].keyword == "COPY");
  CHECK_THROWS_WITH(builder::parse_onbuild_triggers({"ONBUILD RUN x"}, "b"),
                    "FROM b: ONBUILD trigger 1 'ONBUILD RUN x': chaining ONBUILD via `ONBUILD "
                    "ONBUILD` isn't allowed");
  CHECK_THROWS_WITH(builder::parse_onbuild_triggers({"RUN a", "maintainer me"}, "b"),
                    "FROM b: ONBUILD trigger 2 'maintainer me': MAINTAINER isn't allowed as an "
                    "ONBUILD trigger");
  CHECK_THROWS_WITH(builder::parse_onbuild_triggers({"RUNN x"}, "b"),
                    Catch::StartsWith("FROM b: ONBUILD trigger 1 'RUNN x': unknown instruction"));
}

TEST_CASE("build --metadata-file has buildx's keys") {
  builder::BuildResult result{
      .manifest = {.media_type = "application/vnd.oci.image.manifest.v1+json",
                   .digest = core::sha256_of("m"),
                   .size = 42},
      .image_id = core::sha256_of("c")};
  nlohmann::json doc = builder::build_metadata(
      result, {registry::parse_reference("app:1"), registry::parse_reference("reg:5000/x/y")});
  CHECK(doc["containerimage.digest"] == core::sha256_of("m").str());
  CHECK(doc["containerimage.config.digest"] == core::sha256_of("c").str());
  CHECK(doc["containerimage.descriptor"]["size"] == 42);
  CHECK(doc["image.name"] == "docker.io/library/app:1,reg:5000/x/y:latest");
  CHECK_FALSE(builder::build_metadata(result, {}).contains("image.name"));
}

TEST_CASE("SOURCE_DATE_EPOCH: the build arg wins over the environment") {
  ::setenv("SOURCE_DATE_EPOCH", "100", 1);
  CHECK(builder::source_date_epoch_for({}) == 100);
  CHECK(builder::source_date_epoch_for({{"SOURCE_DATE_EPOCH", "7"}, {"X", "1"}}) == 7);
  CHECK(builder::source_date_epoch_for({{"SOURCE_DATE_EPOCH", ""}}) == std::nullopt);
  CHECK_THROWS_WITH(builder::source_date_epoch_for({{"SOURCE_DATE_EPOCH", "-1"}}),
                    "--build-arg SOURCE_DATE_EPOCH '-1': not a non-negative number of seconds");
  ::unsetenv("SOURCE_DATE_EPOCH");
  CHECK(builder::source_date_epoch_for({}) == std::nullopt);
}
