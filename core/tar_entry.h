#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace core {

/// The kinds of entries a layer tar may hold (sockets cannot be archived).
enum class TarEntryType { regular, hardlink, symlink, char_device, block_device, directory, fifo };

/// "regular", "hardlink", "symlink", …
std::string_view to_string(TarEntryType type);

/// One entry of a layer tar, as the writer emits it and the reader returns
/// it. Plain data; the entry's bytes travel separately.
struct TarEntry {
  /// Normalised relative path ("usr/bin/env"; "." is the root), never with a
  /// leading "/" or "./" or a trailing "/".
  std::string path;
  TarEntryType type = TarEntryType::regular;
  /// Permission bits including setuid, setgid and sticky (st_mode & 07777).
  std::uint32_t mode = 0644;
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  /// Bytes of data that follow (regular files only; 0 for every other type).
  std::uint64_t size = 0;
  /// Modification time in whole seconds since the epoch.
  std::int64_t mtime = 0;
  /// For symlinks the target as written; for hardlinks the normalised path
  /// of the entry (in this or a lower layer) it links to.
  std::string link_target;
  std::uint32_t dev_major = 0;
  std::uint32_t dev_minor = 0;
  /// Extended attributes (name, value), sorted by name. Values are binary.
  std::vector<std::pair<std::string, std::string>> xattrs;

  friend bool operator==(const TarEntry&, const TarEntry&) = default;
};

} // namespace core
