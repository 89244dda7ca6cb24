#pragma once

#include "core/stream.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace core {

/// How a layer blob is compressed. Detected from magic bytes, never from a
/// file name or media type.
enum class Compression { none, gzip, zstd };

/// "none", "gzip" or "zstd".
std::string_view to_string(Compression compression);

/// Parses "none", "gzip" or "zstd"; nullopt for anything else.
std::optional<Compression> parse_compression(std::string_view text);

/// Sniffs the first bytes of a stream: gzip (1f 8b), zstd (28 b5 2f fd),
/// otherwise none. Needs at most 4 bytes; shorter prefixes are judged on what
/// is there.
Compression detect_compression(std::span<const std::uint8_t> prefix);

/// Settings for a compressing stream. Output depends only on the input bytes
/// and these settings (not on how writes are split), so the same input always
/// gives the same blob.
struct CompressOptions {
  /// Codec level; 0 picks the default (zstd 3; gzip 1 on ISA-L igzip).
  int level = 0;
  /// zstd worker threads (ZSTD_c_nbWorkers); 0 compresses on the caller's
  /// thread. The frame is identical for any value >= 1.
  int zstd_workers = 2;
};

/// A stream that compresses what is written to it into `sink` (not owned; it
/// must outlive the compressor). finish() writes the trailer and calls
/// sink.finish(). Gzip output has a fixed header: mtime 0, no name, OS 255.
/// For Compression::none the bytes pass through unchanged.
std::unique_ptr<OutputStream> make_compressor(Compression compression, OutputStream& sink,
                                              const CompressOptions& options = {});

/// A guard against decompression bombs: a decompressor throws InputError
/// naming the stream when its output exceeds `max_output_bytes`, or exceeds
/// `max_ratio` times its compressed input once past `ratio_grace_bytes`.
struct DecompressLimits {
  std::uint64_t max_output_bytes = std::uint64_t{1} << 40; // 1 TiB
  /// 0 disables the ratio check. Deflate cannot exceed ~1032:1; zstd can.
  double max_ratio = 10000;
  std::uint64_t ratio_grace_bytes = std::uint64_t{256} << 20;
};

/// A stream reading the decompressed bytes of `source` (not owned). `name`
/// appears in errors ("layer sha256:…: gzip: invalid block"). Multi-member
/// gzip and multi-frame zstd are read to their end; trailing garbage, a
/// truncated stream or a checksum mismatch throws InputError.
std::unique_ptr<InputStream> make_decompressor(Compression compression, InputStream& source,
                                               std::string name,
                                               const DecompressLimits& limits = {});

/// The result of open_decompressed(): the detected compression and the stream.
struct DecompressedStream {
  Compression compression = Compression::none;
  std::unique_ptr<InputStream> stream;
};

/// Sniffs the compression of `source` (not owned) and returns a stream of its
/// decompressed bytes (the sniffed bytes are not lost).
DecompressedStream open_decompressed(InputStream& source, std::string name,
                                     const DecompressLimits& limits = {});

} // namespace core
