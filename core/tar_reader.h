#pragma once

#include "core/compression.h"
#include "core/stream.h"
#include "core/tar_entry.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace core {

/// Caps that keep a hostile layer from exhausting memory or disk.
struct TarReaderOptions {
  DecompressLimits decompress;
  /// A single entry's data larger than this is refused.
  std::uint64_t max_entry_size = std::uint64_t{1} << 40;
  /// PAX or GNU long-name header data larger than this is refused.
  size_t max_header_data = size_t{1} << 20;
  std::uint64_t max_entries = 10'000'000;
};

/// Streams the entries of a layer tar (plain, gzip or zstd, sniffed) from
/// `source` (not owned). Understands ustar, PAX (local headers; global ones
/// are read and ignored) and GNU long names/links. Paths are normalised
/// (core::normalize_layer_path). Errors are InputError and read
/// "<name>: entry '<path>': <problem>", e.g.
/// "layer sha256:ab…: entry 'etc/../../x': path escapes root".
///
///   TarReader reader(in, "layer " + digest.str());
///   while (auto entry = reader.next()) { reader.read_data(buf, n) … }
class TarReader {
public:
  TarReader(InputStream& source, std::string name, TarReaderOptions options = {});
  ~TarReader();
  TarReader(const TarReader&) = delete;
  TarReader& operator=(const TarReader&) = delete;

  /// The compression detected on the source.
  Compression compression() const noexcept { return m_compression; }

  /// The next entry (skipping unread data of the previous one), or nullopt
  /// at the end of the archive.
  std::optional<TarEntry> next();

  /// Reads the current entry's data; returns 0 at its end. Throws InputError
  /// if the archive ends early.
  size_t read_data(void* buffer, size_t size);

  /// The current entry's data as a stream (valid until next()).
  InputStream& data() { return m_data; }

  /// The name given at construction, for messages.
  const std::string& name() const noexcept { return m_name; }

private:
  class DataStream : public InputStream {
  public:
    explicit DataStream(TarReader& reader) : m_reader(reader) {}
    size_t read(void* buffer, size_t size) override { return m_reader.read_data(buffer, size); }

  private:
    TarReader& m_reader;
  };
  struct Overrides; // PAX / GNU values for the next header

  size_t read_raw(void* buffer, size_t size);
  bool read_block(unsigned char* block, bool allow_eof);
  void skip(std::uint64_t size);
  std::string read_header_data(std::uint64_t size, const std::string& what);
  void parse_pax(std::string_view data, Overrides& overrides);
  TarEntry build_entry(const unsigned char* block, Overrides& overrides);
  void drain();
  [[noreturn]] void fail(const std::string& path, const std::string& problem) const;

  std::string m_name;
  TarReaderOptions m_options;
  Compression m_compression = Compression::none;
  std::unique_ptr<InputStream> m_stream;
  std::vector<char> m_buffer;
  size_t m_buffer_pos = 0;
  size_t m_buffer_end = 0;
  std::string m_current_path;
  std::uint64_t m_remaining = 0; ///< data bytes left in the current entry
  std::uint64_t m_padding = 0;   ///< padding after them
  std::uint64_t m_entries = 0;
  bool m_ended = false;
  bool m_in_header = false; ///< reading headers, before the entry's name is known
  DataStream m_data{*this};
};

} // namespace core
