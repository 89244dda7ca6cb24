#include "core/temp_dir.h"

#include "core/error.h"

#include <cstdlib>
#include <string>
#include <system_error>

namespace core {

TempDir::TempDir(const std::filesystem::path& parent, const char* prefix) {
  std::filesystem::path base = parent;
  if (base.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    base = (tmp && *tmp) ? tmp : "/tmp";
  }
  std::string pattern = (base / prefix).string() + "XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    throw_errno("create temporary directory", pattern);
  }
  m_path = pattern;
}

TempDir::TempDir(TempDir&& other) noexcept : m_path(other.release()) {}

TempDir& TempDir::operator=(TempDir&& other) noexcept {
  if (this != &other) {
    std::error_code ec;
    if (!m_path.empty()) {
      std::filesystem::remove_all(m_path, ec);
    }
    m_path = other.release();
  }
  return *this;
}

TempDir::~TempDir() {
  if (!m_path.empty()) {
    std::error_code ec; // a destructor never throws; leftovers are only temp files
    std::filesystem::remove_all(m_path, ec);
  }
}

std::filesystem::path TempDir::release() noexcept {
  std::filesystem::path p = std::move(m_path);
  m_path.clear();
  return p;
}

} // namespace core
