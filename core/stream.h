#pragma once

#include "core/unique_fd.h"

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace core {

/// A source of bytes read front to back. The common currency between the
/// content store, decompressors, tar readers and image readers.
class InputStream {
public:
  virtual ~InputStream() = default;
  /// Reads up to `size` bytes into `buffer`. Returns 0 only at the end of the
  /// stream. Throws core::Error on failure (a digest mismatch, a truncated or
  /// corrupt stream, an I/O error), never returns a short count for that.
  virtual size_t read(void* buffer, size_t size) = 0;
};

/// A sink of bytes. finish() reports errors that only show at the end (a
/// compressor's trailer, a failed flush); destructors never throw.
class OutputStream {
public:
  virtual ~OutputStream() = default;
  virtual void write(const void* data, size_t size) = 0;
  void write(std::string_view data) { write(data.data(), data.size()); }
  /// Flushes everything; after it, write() must not be called.
  virtual void finish() {}
};

/// Reads a file descriptor (owned) until EOF; retries EINTR.
class FdInputStream : public InputStream {
public:
  explicit FdInputStream(UniqueFd fd, std::string name);
  /// Opens `path` read-only (O_CLOEXEC); throws core::Error naming the path.
  static FdInputStream open(const std::filesystem::path& path);
  size_t read(void* buffer, size_t size) override;

private:
  UniqueFd m_fd;
  std::string m_name;
};

/// Reads from memory it does not own.
class MemoryInputStream : public InputStream {
public:
  explicit MemoryInputStream(std::string_view data) : m_data(data) {}
  size_t read(void* buffer, size_t size) override;

private:
  std::string_view m_data;
};

/// Writes to a file descriptor (owned); retries EINTR and short writes.
class FdOutputStream : public OutputStream {
public:
  FdOutputStream(UniqueFd fd, std::string name);
  void write(const void* data, size_t size) override;
  using OutputStream::write;
  int fd() const noexcept { return m_fd.get(); }

private:
  UniqueFd m_fd;
  std::string m_name;
};

/// Appends to a std::string it does not own.
class StringOutputStream : public OutputStream {
public:
  explicit StringOutputStream(std::string& out) : m_out(out) {}
  void write(const void* data, size_t size) override {
    m_out.append(static_cast<const char*>(data), size);
  }
  using OutputStream::write;

private:
  std::string& m_out;
};

/// Reads `in` to its end into a string. Throws when more than `limit` bytes
/// arrive (hostile input must not exhaust memory), naming `what`.
std::string read_all(InputStream& in, std::string_view what, size_t limit = 64 << 20);

/// Copies `in` to `out` until EOF with one reused buffer; returns the byte count.
std::uint64_t copy_stream(InputStream& in, OutputStream& out);

} // namespace core
