#include "core/compression.h"
#include "core/error.h"
#include "core/temp_dir.h"
#include "layer_test_support.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>

using namespace layer_test;
using core::Compression;

namespace {

/// Compresses `data`, writing it in pieces of `piece` bytes.
std::string compress(Compression c, std::string_view data, size_t piece = 1 << 20,
                     core::CompressOptions options = {}) {
  std::string out;
  core::StringOutputStream sink(out);
  auto z = core::make_compressor(c, sink, options);
  for (size_t pos = 0; pos < data.size(); pos += piece) {
    z->write(data.substr(pos, piece));
  }
  z->finish();
  return out;
}

std::string decompress(Compression c, std::string_view data, core::DecompressLimits limits = {}) {
  core::MemoryInputStream in(data);
  auto z = core::make_decompressor(c, in, "blob", limits);
  return core::read_all(*z, "blob", size_t{1} << 30);
}

} // namespace

TEST_CASE("detect_compression sniffs magic bytes", "[core][compression]") {
  auto detect = [](std::string_view s) {
    return core::detect_compression(
        std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
  };
  CHECK(detect("\x1f\x8b\x08") == Compression::gzip);
  CHECK(detect("\x28\xb5\x2f\xfd") == Compression::zstd);
  CHECK(detect("\x28\xb5\x2f") == Compression::none);
  CHECK(detect("ustar") == Compression::none);
  CHECK(detect("") == Compression::none);
  CHECK(core::parse_compression("zstd") == Compression::zstd);
  CHECK_FALSE(core::parse_compression("xz"));
  CHECK(core::to_string(Compression::gzip) == "gzip");
}

TEST_CASE("compressors round-trip and do not depend on how writes are split",
          "[core][compression]") {
  std::string data = sample_bytes(3'500'000);
  for (Compression c : {Compression::none, Compression::gzip, Compression::zstd}) {
    INFO(core::to_string(c));
    std::string whole = compress(c, data);
    CHECK(compress(c, data, 7919) == whole);
    CHECK(decompress(c, whole) == data);
    core::MemoryInputStream in(whole);
    auto sniffed = core::open_decompressed(in, "blob");
    CHECK(sniffed.compression == c);
    CHECK(core::read_all(*sniffed.stream, "blob", 1 << 30) == data);
    if (c != Compression::none) {
      CHECK(whole.size() < data.size() * 6 / 10); // 15 symbols: under 4 bits each
    }
  }
  // The empty input compresses to a valid stream too.
  CHECK(decompress(Compression::gzip, compress(Compression::gzip, "")).empty());
  CHECK(decompress(Compression::zstd, compress(Compression::zstd, "")).empty());
}

TEST_CASE("gzip output has a fixed header with no time or name", "[core][compression]") {
  std::string z = compress(Compression::gzip, "hello");
  REQUIRE(z.size() > 10);
  CHECK(z.substr(0, 10) == std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10));
}

TEST_CASE("zstd frames are identical for any number of workers", "[core][compression]") {
  std::string data = sample_bytes(5'000'000, 3);
  core::CompressOptions one{.level = 3, .zstd_workers = 1};
  core::CompressOptions two{.level = 3, .zstd_workers = 2};
  CHECK(compress(Compression::zstd, data, 1 << 20, one) ==
        compress(Compression::zstd, data, 4096, two));
}

TEST_CASE("gzip decompression reads multi-member streams", "[core][compression]") {
  std::string a = sample_bytes(100'000, 1), b = sample_bytes(200'000, 2);
  std::string joined = compress(Compression::gzip, a) + compress(Compression::gzip, b);
  CHECK(decompress(Compression::gzip, joined) == a + b);
  std::string zjoined = compress(Compression::zstd, a) + compress(Compression::zstd, b);
  CHECK(decompress(Compression::zstd, zjoined) == a + b);
}

TEST_CASE("corrupt and truncated compressed streams throw InputError naming the stream",
          "[core][compression]") {
  std::string data = sample_bytes(300'000);
  for (Compression c : {Compression::gzip, Compression::zstd}) {
    INFO(core::to_string(c));
    std::string z = compress(c, data);
    SECTION("truncated") {
      std::string cut = z.substr(0, z.size() / 2);
      CHECK_THROWS_AS(decompress(c, cut), core::InputError);
      CHECK_THROWS_WITH(decompress(c, cut),
                        Catch::Contains("blob:") && Catch::Contains("unexpected end of stream"));
    }
    SECTION("flipped bytes in the middle") {
      std::string bad = z;
      for (size_t i = bad.size() / 2; i < bad.size() / 2 + 64; ++i) {
        bad[i] = static_cast<char>(bad[i] ^ 0x5a);
      }
      CHECK_THROWS_AS(decompress(c, bad), core::InputError);
    }
    SECTION("trailing garbage") {
      CHECK_THROWS_AS(decompress(c, z + "garbage!"), core::InputError);
    }
  }
  SECTION("a wrong gzip CRC") {
    std::string z = compress(Compression::gzip, data);
    z[z.size() - 6] = static_cast<char>(z[z.size() - 6] ^ 1);
    CHECK_THROWS_WITH(decompress(Compression::gzip, z), Catch::Contains("CRC-32 mismatch"));
  }
}

TEST_CASE("decompression bounds its output", "[core][compression]") {
  std::string zeros(8 << 20, '\0');
  for (Compression c : {Compression::gzip, Compression::zstd}) {
    INFO(core::to_string(c));
    std::string z = compress(c, zeros);
    core::DecompressLimits size_limit;
    size_limit.max_output_bytes = 1 << 20;
    CHECK_THROWS_WITH(decompress(c, z, size_limit),
                      "blob: decompressed size exceeds the limit of 1048576 bytes");
    core::DecompressLimits ratio_limit;
    ratio_limit.max_ratio = 100;
    ratio_limit.ratio_grace_bytes = 1 << 20;
    CHECK_THROWS_WITH(decompress(c, z, ratio_limit), Catch::Contains("ratio exceeds"));
    CHECK(decompress(c, z).size() == zeros.size()); // the defaults let it through
  }
}

TEST_CASE("gzip -d and zstd -d read what we compress", "[core][compression][interop]") {
  if (!have_tool("gzip") || !have_tool("zstd")) {
    WARN("gzip or zstd not installed; skipping interop check");
    return;
  }
  core::TempDir dir;
  std::string data = sample_bytes(500'000);
  write_file(dir.path() / "x.gz", compress(Compression::gzip, data));
  write_file(dir.path() / "x.zst", compress(Compression::zstd, data));
  int status = 0;
  CHECK(run_shell("gzip -dc '" + (dir.path() / "x.gz").string() + "'", status) == data);
  CHECK(status == 0);
  CHECK(run_shell("zstd -qdc '" + (dir.path() / "x.zst").string() + "'", status) == data);
  CHECK(status == 0);
  // And the other way round.
  run_shell("cd '" + dir.path().string() +
                "' && gzip -dc x.gz | gzip -6 > y.gz && gzip -dc x.gz | zstd -q -3 -o y.zst",
            status);
  REQUIRE(status == 0);
  CHECK(decompress(Compression::gzip, read_file(dir.path() / "y.gz")) == data);
  CHECK(decompress(Compression::zstd, read_file(dir.path() / "y.zst")) == data);
}

TEST_CASE("decompressors work with tiny reads and tiny input chunks", "[core][compression]") {
  /// Hands out its bytes a few at a time, as a slow pipe would.
  class Trickle : public core::InputStream {
  public:
    explicit Trickle(std::string_view data) : m_data(data) {}
    size_t read(void* buffer, size_t size) override {
      size_t n = std::min({size, m_data.size(), size_t{3}});
      std::memcpy(buffer, m_data.data(), n);
      m_data.remove_prefix(n);
      return n;
    }

  private:
    std::string_view m_data;
  };
  std::string data = sample_bytes(200'000, 7) + std::string(300'000, '\0');
  for (Compression c : {Compression::gzip, Compression::zstd}) {
    INFO(core::to_string(c));
    std::string z = compress(c, data);
    Trickle in(z);
    auto stream = core::make_decompressor(c, in, "blob");
    std::string out;
    char buf[7];
    while (size_t n = stream->read(buf, sizeof buf)) {
      out.append(buf, n);
    }
    CHECK(out == data);
  }
}
