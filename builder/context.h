#pragma once

#include "core/digest.h"
#include "dockerfile-parser/dockerignore.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace builder {

/// One path of the build context as lstat saw it.
struct ContextEntry {
  std::string path;       ///< relative to the context, '/'-separated, no leading "./"
  std::uint32_t mode = 0; ///< st_mode (type and permission bits)
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  std::uint64_t inode = 0;
  std::string link_target; ///< symlinks only
};

/// The build context directory with .dockerignore applied. Content digests
/// come from a stat cache (path, size, mtime, ctime, inode -> sha256) kept in
/// a line-based file, so an unchanged context is not read again.
class BuildContext {
public:
  /// Scans `dir`. `ignore` excludes paths; `stat_cache` is the cache file
  /// (read when present, written by save()).
  BuildContext(std::filesystem::path dir, dockerfile::DockerIgnore ignore,
               std::filesystem::path stat_cache);

  const std::filesystem::path& dir() const { return m_dir; }

  /// Every included entry, sorted by path.
  const std::vector<ContextEntry>& entries() const { return m_entries; }

  /// The entry at `path`, or nullptr when absent or excluded.
  const ContextEntry* find(const std::string& path) const;

  /// True when `path` exists on disk but .dockerignore excludes it.
  bool ignored(const std::string& path) const;

  /// Paths matching a COPY source (wildcards `*`, `?`, `[...]` per path
  /// element, like Go's filepath.Match), sorted. Without wildcards: the path
  /// itself when present.
  std::vector<std::string> match(const std::string& pattern) const;

  /// The included entries at or below `path`, sorted.
  std::vector<const ContextEntry*> subtree(const std::string& path) const;

  /// A digest of what COPY uses of one entry: type, mode, owner, size, link
  /// target and the content's sha256 (never the mtime).
  core::Digest entry_digest(const ContextEntry& entry);

  /// Writes the stat cache back when it changed.
  void save() const;

  /// Files whose content was read (not served by the stat cache).
  size_t files_hashed() const { return m_hashed; }

private:
  struct Cached {
    std::uint64_t size;
    std::int64_t mtime_ns;
    std::int64_t ctime_ns;
    std::uint64_t inode;
    std::string sha256;
  };
  void scan(int dir_fd, const std::string& prefix);
  void load_stat_cache();
  std::string content_hash(const ContextEntry& entry);

  std::filesystem::path m_dir;
  dockerfile::DockerIgnore m_ignore;
  std::filesystem::path m_stat_cache_file;
  std::vector<ContextEntry> m_entries;
  std::map<std::string, Cached> m_stat_cache;
  bool m_dirty = false;
  size_t m_hashed = 0;
};

} // namespace builder
