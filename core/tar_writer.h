#pragma once

#include "core/stream.h"
#include "core/tar_entry.h"

#include <cstdint>

namespace core {

/// Writes a POSIX (ustar + PAX extended headers) tar stream, byte for byte
/// deterministic: PAX records only where ustar cannot hold a field (long
/// names, large ids or sizes, xattrs), sorted; numeric ids only (no user or
/// group names); no atime/ctime; directories named with a trailing "/";
/// PAX headers named "PaxHeaders.0/<name>" with mtime 0.
///
/// Usage: write_header(entry), then exactly entry.size bytes with
/// write_data(), repeat; finish() writes the end-of-archive blocks (it does not
/// finish `out`). `out` is not owned.
class TarWriter {
public:
  explicit TarWriter(OutputStream& out) : m_out(out) {}

  /// Starts an entry. Throws Error if the previous entry's data is incomplete.
  void write_header(const TarEntry& entry);
  /// Appends data to the current entry; throws Error past entry.size.
  void write_data(const void* data, size_t size);
  /// Header plus all of its data at once.
  void write_entry(const TarEntry& entry, std::string_view data = {});
  /// Pads the last entry and writes two zero blocks.
  void finish();

  /// Bytes written to `out` so far.
  std::uint64_t bytes_written() const noexcept { return m_written; }

private:
  void close_entry();
  void emit(const void* data, size_t size);

  OutputStream& m_out;
  std::string m_path_of_current;
  std::uint64_t m_remaining = 0;
  std::uint64_t m_entry_size = 0;
  std::uint64_t m_written = 0;
};

} // namespace core
