#include "core/stream.h"

#include "core/error.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace core {

FdInputStream::FdInputStream(UniqueFd fd, std::string name)
    : m_fd(std::move(fd)), m_name(std::move(name)) {}

FdInputStream FdInputStream::open(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw_errno("open", path.string());
  }
  return FdInputStream(UniqueFd(fd), path.string());
}

size_t FdInputStream::read(void* buffer, size_t size) {
  for (;;) {
    ssize_t n = ::read(m_fd.get(), buffer, size);
    if (n >= 0) {
      return static_cast<size_t>(n);
    }
    if (errno != EINTR) {
      throw_errno("read", m_name);
    }
  }
}

size_t MemoryInputStream::read(void* buffer, size_t size) {
  size_t n = std::min(size, m_data.size());
  if (n > 0) {
    std::memcpy(buffer, m_data.data(), n);
  }
  m_data.remove_prefix(n);
  return n;
}

FdOutputStream::FdOutputStream(UniqueFd fd, std::string name)
    : m_fd(std::move(fd)), m_name(std::move(name)) {}

void FdOutputStream::write(const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(m_fd.get(), p, size);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      throw_errno("write", m_name);
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
}

std::string read_all(InputStream& in, std::string_view what, size_t limit) {
  std::string out;
  char buffer[65536];
  for (;;) {
    size_t n = in.read(buffer, sizeof buffer);
    if (n == 0) {
      return out;
    }
    if (out.size() + n > limit) {
      throw InputError(std::string(what) + ": larger than the limit of " + std::to_string(limit) +
                       " bytes");
    }
    out.append(buffer, n);
  }
}

std::uint64_t copy_stream(InputStream& in, OutputStream& out) {
  std::vector<char> buffer(1 << 20);
  std::uint64_t total = 0;
  for (;;) {
    size_t n = in.read(buffer.data(), buffer.size());
    if (n == 0) {
      return total;
    }
    out.write(buffer.data(), n);
    total += n;
  }
}

} // namespace core
