#pragma once

#include <filesystem>

namespace core {

/// A fresh directory (mkdtemp) under `parent` (default: $TMPDIR or /tmp) that
/// removes itself and everything in it on destruction. Move-only.
class TempDir {
public:
  explicit TempDir(const std::filesystem::path& parent = {}, const char* prefix = "cbuild-");
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::filesystem::path& path() const noexcept { return m_path; }

  /// Keeps the directory on destruction and returns its path.
  std::filesystem::path release() noexcept;

private:
  std::filesystem::path m_path;
};

} // namespace core
