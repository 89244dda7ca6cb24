// zstd streams on libzstd: multi-threaded compression (ZSTD_c_nbWorkers) with
// a content checksum, streaming decompression of any number of frames.

#include "core/compression_codecs.h"

#include <zstd.h>

#include <algorithm>
#include <vector>

namespace core::detail {
namespace {

struct CCtxFree {
  void operator()(ZSTD_CCtx* c) const noexcept { ZSTD_freeCCtx(c); }
};
struct DCtxFree {
  void operator()(ZSTD_DCtx* d) const noexcept { ZSTD_freeDCtx(d); }
};

void check_zstd(size_t rc, const char* what) {
  if (ZSTD_isError(rc)) {
    throw Error(std::string("zstd: ") + what + ": " + ZSTD_getErrorName(rc));
  }
}

class ZstdCompressor : public BlockCompressor {
public:
  ZstdCompressor(OutputStream& sink, int level, int workers)
      : BlockCompressor(sink), m_ctx(ZSTD_createCCtx()), m_out(ZSTD_CStreamOutSize()) {
    if (!m_ctx) {
      throw Error("zstd: out of memory");
    }
    check_zstd(ZSTD_CCtx_setParameter(m_ctx.get(), ZSTD_c_compressionLevel, level), "set level");
    check_zstd(ZSTD_CCtx_setParameter(m_ctx.get(), ZSTD_c_checksumFlag, 1), "set checksum");
    if (workers > 0) {
      // A libzstd built without threads refuses; compress on this thread then.
      (void)ZSTD_CCtx_setParameter(m_ctx.get(), ZSTD_c_nbWorkers, workers);
    }
  }

private:
  void compress_block(std::vector<char>& block, bool last) override {
    const ZSTD_EndDirective mode = last ? ZSTD_e_end : ZSTD_e_continue;
    ZSTD_inBuffer in{block.data(), block.size(), 0};
    for (;;) {
      ZSTD_outBuffer out{m_out.data(), m_out.size(), 0};
      size_t remaining = ZSTD_compressStream2(m_ctx.get(), &out, &in, mode);
      check_zstd(remaining, "compress");
      if (out.pos > 0) {
        m_sink.write(m_out.data(), out.pos);
      }
      bool done = mode == ZSTD_e_end ? remaining == 0 : in.pos == in.size;
      if (done) {
        break;
      }
    }
  }

  std::unique_ptr<ZSTD_CCtx, CCtxFree> m_ctx;
  std::vector<char> m_out;
};

class ZstdDecompressor : public InputStream {
public:
  ZstdDecompressor(InputStream& source, std::string name, const DecompressLimits& limits)
      : m_source(source), m_name(std::move(name)), m_guard(m_name, limits),
        m_ctx(ZSTD_createDCtx()), m_in(ZSTD_DStreamInSize()) {
    if (!m_ctx) {
      throw Error("zstd: out of memory");
    }
  }

  size_t read(void* buffer, size_t size) override {
    if (size == 0) {
      return 0;
    }
    for (;;) {
      if (m_input.pos == m_input.size && !m_eof) {
        size_t n = m_source.read(m_in.data(), m_in.size());
        m_guard.add_input(n);
        m_eof = n == 0;
        m_input = ZSTD_inBuffer{m_in.data(), n, 0};
      }
      ZSTD_outBuffer out{buffer, size, 0};
      size_t consumed_before = m_input.pos;
      size_t rc = ZSTD_decompressStream(m_ctx.get(), &out, &m_input);
      if (ZSTD_isError(rc)) {
        throw InputError(m_name + ": zstd: " + ZSTD_getErrorName(rc));
      }
      // rc == 0 means a frame just ended; a call that saw no input and
      // made no output says nothing about the frame.
      if (m_input.pos != consumed_before || out.pos > 0) {
        m_frame_open = rc != 0;
      }
      if (out.pos > 0) {
        m_guard.add_output(out.pos);
        return out.pos;
      }
      if (m_eof && m_input.pos == m_input.size) {
        if (m_frame_open) {
          throw InputError(m_name + ": zstd: unexpected end of stream (truncated)");
        }
        return 0;
      }
    }
  }

private:
  InputStream& m_source;
  std::string m_name;
  BombGuard m_guard;
  std::unique_ptr<ZSTD_DCtx, DCtxFree> m_ctx;
  std::vector<char> m_in;
  ZSTD_inBuffer m_input{nullptr, 0, 0};
  bool m_eof = false;
  bool m_frame_open = false;
};

} // namespace

std::unique_ptr<OutputStream> make_zstd_compressor(OutputStream& sink, int level, int workers) {
  return std::make_unique<ZstdCompressor>(sink, level, workers);
}

std::unique_ptr<InputStream> make_zstd_decompressor(InputStream& source, std::string name,
                                                    const DecompressLimits& limits) {
  return std::make_unique<ZstdDecompressor>(source, std::move(name), limits);
}

} // namespace core::detail
