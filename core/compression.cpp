#include "core/compression.h"

#include "core/compression_codecs.h"
#include "core/error.h"

#include <algorithm>
#include <cstring>

namespace core {

std::string_view to_string(Compression compression) {
  switch (compression) {
  case Compression::none: return "none";
  case Compression::gzip: return "gzip";
  case Compression::zstd: return "zstd";
  }
  return "unknown";
}

std::optional<Compression> parse_compression(std::string_view text) {
  for (Compression c : {Compression::none, Compression::gzip, Compression::zstd}) {
    if (text == to_string(c)) {
      return c;
    }
  }
  return std::nullopt;
}

Compression detect_compression(std::span<const std::uint8_t> prefix) {
  static constexpr std::uint8_t k_gzip[] = {0x1f, 0x8b};
  static constexpr std::uint8_t k_zstd[] = {0x28, 0xb5, 0x2f, 0xfd};
  auto starts_with = [&](std::span<const std::uint8_t> magic) {
    return prefix.size() >= magic.size() && std::equal(magic.begin(), magic.end(), prefix.begin());
  };
  if (starts_with(k_gzip)) {
    return Compression::gzip;
  }
  if (starts_with(k_zstd)) {
    return Compression::zstd;
  }
  return Compression::none;
}

namespace {

/// Compression::none: a pass-through that still honours finish().
class PassThroughOutput : public OutputStream {
public:
  explicit PassThroughOutput(OutputStream& sink) : m_sink(sink) {}
  void write(const void* data, size_t size) override { m_sink.write(data, size); }
  void finish() override { m_sink.finish(); }

private:
  OutputStream& m_sink;
};

/// Replays bytes already read from `source` (the sniffed magic), then reads on.
class PrefixedInput : public InputStream {
public:
  PrefixedInput(std::string prefix, InputStream& source)
      : m_prefix(std::move(prefix)), m_source(source) {}
  size_t read(void* buffer, size_t size) override {
    if (m_pos < m_prefix.size()) {
      size_t n = std::min(size, m_prefix.size() - m_pos);
      std::memcpy(buffer, m_prefix.data() + m_pos, n);
      m_pos += n;
      return n;
    }
    return m_source.read(buffer, size);
  }

private:
  std::string m_prefix;
  size_t m_pos = 0;
  InputStream& m_source;
};

/// Owns the prefix replayer and the decompressor reading from it.
class OwningDecompressor : public InputStream {
public:
  OwningDecompressor(std::unique_ptr<InputStream> prefixed, Compression compression,
                     std::string name, const DecompressLimits& limits)
      : m_prefixed(std::move(prefixed)) {
    if (compression == Compression::none) {
      return;
    }
    m_decompressor = make_decompressor(compression, *m_prefixed, std::move(name), limits);
  }
  size_t read(void* buffer, size_t size) override {
    return m_decompressor ? m_decompressor->read(buffer, size) : m_prefixed->read(buffer, size);
  }

private:
  std::unique_ptr<InputStream> m_prefixed;
  std::unique_ptr<InputStream> m_decompressor;
};

} // namespace

std::unique_ptr<OutputStream> make_compressor(Compression compression, OutputStream& sink,
                                              const CompressOptions& options) {
  switch (compression) {
  case Compression::none: return std::make_unique<PassThroughOutput>(sink);
  case Compression::gzip:
    return detail::make_gzip_compressor(sink, options.level == 0 ? 1 : options.level);
  case Compression::zstd:
    return detail::make_zstd_compressor(sink, options.level == 0 ? 3 : options.level,
                                        options.zstd_workers);
  }
  throw Error("make compressor: unknown compression");
}

std::unique_ptr<InputStream> make_decompressor(Compression compression, InputStream& source,
                                               std::string name, const DecompressLimits& limits) {
  switch (compression) {
  case Compression::none: return std::make_unique<PrefixedInput>(std::string(), source);
  case Compression::gzip: return detail::make_gzip_decompressor(source, std::move(name), limits);
  case Compression::zstd: return detail::make_zstd_decompressor(source, std::move(name), limits);
  }
  throw Error("make decompressor: unknown compression");
}

DecompressedStream open_decompressed(InputStream& source, std::string name,
                                     const DecompressLimits& limits) {
  std::string prefix(4, '\0');
  size_t have = 0;
  while (have < prefix.size()) {
    size_t n = source.read(prefix.data() + have, prefix.size() - have);
    if (n == 0) {
      break;
    }
    have += n;
  }
  prefix.resize(have);
  Compression compression = detect_compression(std::span<const std::uint8_t>(
      reinterpret_cast<const std::uint8_t*>(prefix.data()), prefix.size()));
  auto prefixed = std::make_unique<PrefixedInput>(std::move(prefix), source);
  DecompressedStream result;
  result.compression = compression;
  result.stream = std::make_unique<OwningDecompressor>(std::move(prefixed), compression,
                                                       std::move(name), limits);
  return result;
}

} // namespace core
