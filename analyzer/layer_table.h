#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace analyzer {

/// What a layer tar entry is. Whiteouts are kept as their own kinds so the
/// walk never has to re-parse names.
enum class FileType {
  regular,
  directory,
  symlink,
  hardlink,
  char_device,
  block_device,
  fifo,
  whiteout,        ///< `dir/.wh.name`: removes `dir/name` from lower layers
  opaque_whiteout, ///< `dir/.wh..wh..opq`: hides every lower child of `dir`
};

/// A SHA-256 of a file's bytes, hashed while the layer streams by.
using ContentHash = std::array<std::uint8_t, 32>;

/// One entry of a layer tar, reduced to what the analysis needs (no data).
struct FileEntry {
  /// Clean relative path without leading '/' ("etc/passwd"). For a whiteout,
  /// the path it removes ("etc/foo" for "etc/.wh.foo"); for an opaque
  /// whiteout, the directory it empties.
  std::string path;
  FileType type = FileType::regular;
  std::uint64_t size = 0; ///< tar header size: content length; 0 for dirs, links
  std::uint32_t mode = 0; ///< permission bits incl. setuid/setgid/sticky (07777)
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  /// Symlink target as stored, or the clean path a hardlink points at.
  std::string link_target;
  bool has_file_capabilities = false; ///< carries a security.capability xattr
  std::optional<ContentHash> content; ///< set for regular files when hashed
};

/// The file table of one layer, in tar order.
struct LayerTable {
  std::vector<FileEntry> entries;

  /// Σ of entry sizes, as dive and `docker history` count a layer.
  std::uint64_t content_size() const;
};

/// True for types that have content bytes of their own in the tar.
inline bool is_regular(FileType type) {
  return type == FileType::regular;
}
inline bool is_whiteout(FileType type) {
  return type == FileType::whiteout || type == FileType::opaque_whiteout;
}

/// "file", "dir", "symlink", ... as reports print them.
const char* to_string(FileType type);

/// Hex of a content hash.
std::string to_hex(const ContentHash& hash);

} // namespace analyzer
