// gzip streams on ISA-L igzip: deflate at levels 0-3 (level 1 is ~500 MB/s on
// one core here, see docs/benchmarks.md) and a streaming inflate that reads
// multi-member files.

#include "core/compression_codecs.h"

#include <isa-l/igzip_lib.h>

#include <algorithm>
#include <climits>
#include <vector>

namespace core::detail {
namespace {

/// A fixed gzip header: deflate, no flags, mtime 0, no extra flags, OS 255
/// (unknown). Nothing in it depends on the machine or the time.
constexpr std::uint8_t k_gzip_header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff};

size_t level_buffer_size(int level) {
  switch (level) {
  case 0: return 0;
  case 1: return ISAL_DEF_LVL1_DEFAULT;
  case 2: return ISAL_DEF_LVL2_DEFAULT;
  default: return ISAL_DEF_LVL3_DEFAULT;
  }
}

class GzipCompressor : public BlockCompressor {
public:
  GzipCompressor(OutputStream& sink, int level)
      : BlockCompressor(sink), m_level_buf(level_buffer_size(level)), m_out(k_codec_block + 4096) {
    if (level < 0 || level > 3) {
      throw Error("gzip: level " + std::to_string(level) + " is not supported (ISA-L: 0-3)");
    }
    isal_deflate_init(&m_stream);
    m_stream.level = static_cast<uint32_t>(level);
    m_stream.level_buf = m_level_buf.empty() ? nullptr : m_level_buf.data();
    m_stream.level_buf_size = static_cast<uint32_t>(m_level_buf.size());
    // The header is ours (fixed); ISA-L writes only the deflate data and the
    // CRC-32/size trailer.
    m_stream.gzip_flag = IGZIP_GZIP_NO_HDR;
    m_sink.write(k_gzip_header, sizeof k_gzip_header);
  }

private:
  void compress_block(std::vector<char>& block, bool last) override {
    m_stream.next_in = reinterpret_cast<uint8_t*>(block.data());
    m_stream.avail_in = static_cast<uint32_t>(block.size());
    m_stream.end_of_stream = last ? 1 : 0;
    m_stream.flush = NO_FLUSH;
    do {
      m_stream.next_out = m_out.data();
      m_stream.avail_out = static_cast<uint32_t>(m_out.size());
      int rc = isal_deflate(&m_stream);
      if (rc != COMP_OK) {
        throw Error("gzip: compression failed (ISA-L error " + std::to_string(rc) + ")");
      }
      size_t produced = m_out.size() - m_stream.avail_out;
      if (produced > 0) {
        m_sink.write(m_out.data(), produced);
      }
    } while (m_stream.avail_in > 0 || (last && m_stream.internal_state.state != ZSTATE_END));
  }

  isal_zstream m_stream{};
  std::vector<uint8_t> m_level_buf;
  std::vector<uint8_t> m_out;
};

const char* inflate_error(int rc) {
  switch (rc) {
  case ISAL_INVALID_BLOCK: return "invalid deflate block";
  case ISAL_INVALID_SYMBOL: return "invalid deflate symbol";
  case ISAL_INVALID_LOOKBACK: return "invalid lookback distance";
  case ISAL_INVALID_WRAPPER: return "invalid gzip header";
  case ISAL_UNSUPPORTED_METHOD: return "unsupported compression method";
  case ISAL_INCORRECT_CHECKSUM: return "CRC-32 mismatch";
  case ISAL_NEED_DICT: return "needs a preset dictionary";
  default: return "corrupt data";
  }
}

class GzipDecompressor : public InputStream {
public:
  GzipDecompressor(InputStream& source, std::string name, const DecompressLimits& limits)
      : m_source(source), m_name(std::move(name)), m_guard(m_name, limits), m_in(k_codec_block) {
    start_member();
  }

  size_t read(void* buffer, size_t size) override {
    if (size == 0) {
      return 0;
    }
    for (;;) {
      if (m_done) {
        return 0;
      }
      if (m_state.block_state == ISAL_BLOCK_FINISH) {
        next_member_or_end();
        continue;
      }
      // At the end of the input, inflate may still hold output and the
      // trailer internally: call it once more before calling it truncated.
      bool at_end = m_state.avail_in == 0 && !fill();
      m_state.next_out = static_cast<uint8_t*>(buffer);
      m_state.avail_out = static_cast<uint32_t>(std::min<size_t>(size, UINT32_MAX));
      int rc = isal_inflate(&m_state);
      if (rc < 0) {
        throw InputError(m_name + ": gzip: " + inflate_error(rc));
      }
      size_t produced = std::min<size_t>(size, UINT32_MAX) - m_state.avail_out;
      if (produced > 0) {
        m_guard.add_output(produced);
        return produced;
      }
      if (at_end && m_state.block_state != ISAL_BLOCK_FINISH) {
        throw InputError(m_name + ": gzip: unexpected end of stream (truncated)");
      }
    }
  }

private:
  void start_member() {
    isal_inflate_init(&m_state);
    m_state.crc_flag = ISAL_GZIP;
  }

  /// Reads more compressed input; false at the end of the source.
  bool fill() {
    size_t n = m_source.read(m_in.data(), m_in.size());
    if (n == 0) {
      return false;
    }
    m_guard.add_input(n);
    m_state.next_in = m_in.data();
    m_state.avail_in = static_cast<uint32_t>(n);
    return true;
  }

  /// After a member's trailer: another member follows, or the stream ends.
  void next_member_or_end() {
    if (m_state.avail_in == 0 && !fill()) {
      m_done = true;
      return;
    }
    if (m_state.next_in[0] != 0x1f) {
      throw InputError(m_name + ": gzip: trailing garbage after the compressed data");
    }
    uint8_t* next = m_state.next_in;
    uint32_t avail = m_state.avail_in;
    start_member();
    m_state.next_in = next;
    m_state.avail_in = avail;
  }

  InputStream& m_source;
  std::string m_name;
  BombGuard m_guard;
  std::vector<uint8_t> m_in;
  inflate_state m_state{};
  bool m_done = false;
};

} // namespace

std::unique_ptr<OutputStream> make_gzip_compressor(OutputStream& sink, int level) {
  return std::make_unique<GzipCompressor>(sink, level);
}

std::unique_ptr<InputStream> make_gzip_decompressor(InputStream& source, std::string name,
                                                    const DecompressLimits& limits) {
  return std::make_unique<GzipDecompressor>(source, std::move(name), limits);
}

} // namespace core::detail
