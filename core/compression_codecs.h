#pragma once

// Internal to compression.cpp and the codec files: one factory per codec and
// the decompression-bomb guard they share. Not part of the public API.

#include "core/compression.h"
#include "core/error.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace core::detail {

/// The block size codecs are fed with. Compressors only ever see whole
/// blocks (and one final short block), which is what makes their output
/// independent of how callers split their writes.
inline constexpr size_t k_codec_block = size_t{1} << 20;

/// A compressor's front half: gathers writes into k_codec_block blocks and
/// hands each full block, then the final short one, to compress_block().
class BlockCompressor : public OutputStream {
public:
  void write(const void* data, size_t size) final {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
      size_t n = std::min(size, k_codec_block - m_block.size());
      m_block.insert(m_block.end(), p, p + n);
      p += n;
      size -= n;
      if (m_block.size() == k_codec_block) {
        compress_block(m_block, false);
        m_block.clear();
      }
    }
  }

  void finish() final {
    compress_block(m_block, true);
    m_block.clear();
    m_sink.finish();
  }

protected:
  explicit BlockCompressor(OutputStream& sink) : m_sink(sink) { m_block.reserve(k_codec_block); }

  /// Compresses `block` and writes what it yields to m_sink; `last` ends the stream.
  virtual void compress_block(std::vector<char>& block, bool last) = 0;

  OutputStream& m_sink;

private:
  std::vector<char> m_block;
};

std::unique_ptr<OutputStream> make_gzip_compressor(OutputStream& sink, int level);
std::unique_ptr<OutputStream> make_zstd_compressor(OutputStream& sink, int level, int workers);
std::unique_ptr<InputStream> make_gzip_decompressor(InputStream& source, std::string name,
                                                    const DecompressLimits& limits);
std::unique_ptr<InputStream> make_zstd_decompressor(InputStream& source, std::string name,
                                                    const DecompressLimits& limits);

/// Counts compressed bytes in and decompressed bytes out and throws once the
/// output breaks the limits.
class BombGuard {
public:
  BombGuard(const std::string& name, const DecompressLimits& limits)
      : m_name(name), m_limits(limits) {}
  void add_input(std::uint64_t n) { m_in += n; }
  void add_output(std::uint64_t n) {
    m_out += n;
    if (m_out > m_limits.max_output_bytes) {
      throw InputError(m_name + ": decompressed size exceeds the limit of " +
                       std::to_string(m_limits.max_output_bytes) + " bytes");
    }
    if (m_limits.max_ratio > 0 && m_out > m_limits.ratio_grace_bytes &&
        static_cast<double>(m_out) > m_limits.max_ratio * static_cast<double>(m_in)) {
      throw InputError(m_name + ": compression ratio exceeds the limit of " +
                       std::to_string(static_cast<long long>(m_limits.max_ratio)) +
                       ":1 (decompression bomb?)");
    }
  }

private:
  const std::string& m_name;
  DecompressLimits m_limits;
  std::uint64_t m_in = 0;
  std::uint64_t m_out = 0;
};

} // namespace core::detail
