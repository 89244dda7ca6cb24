#pragma once
// Helpers that craft in-memory layer tables for the analyzer's unit tests.

#include "analyzer/layer_table.h"
#include "core/digest.h"

#include <algorithm>
#include <string>

namespace analyzer::test {

/// A content hash standing for "bytes labelled `tag`".
inline ContentHash hash_of(const std::string& tag) {
  ContentHash hash{};
  core::Digest digest = core::sha256_of(tag);
  std::string_view hex = digest.hex();
  for (std::size_t i = 0; i < hash.size(); ++i)
    hash[i] = static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(2 * i, 2)), nullptr, 16));
  return hash;
}

inline FileEntry file(std::string path, std::uint64_t size, std::string tag = "",
                      std::uint32_t mode = 0644) {
  FileEntry entry;
  entry.path = std::move(path);
  entry.type = FileType::regular;
  entry.size = size;
  entry.mode = mode;
  entry.content = hash_of(tag.empty() ? entry.path + "#" + std::to_string(size) : tag);
  return entry;
}

inline FileEntry dir(std::string path, std::uint32_t mode = 0755) {
  FileEntry entry;
  entry.path = std::move(path);
  entry.type = FileType::directory;
  entry.mode = mode;
  return entry;
}

inline FileEntry whiteout(std::string path) {
  FileEntry entry;
  entry.path = std::move(path);
  entry.type = FileType::whiteout;
  return entry;
}

inline FileEntry opaque(std::string dir_path) {
  FileEntry entry;
  entry.path = std::move(dir_path);
  entry.type = FileType::opaque_whiteout;
  return entry;
}

inline FileEntry hardlink(std::string path, std::string target) {
  FileEntry entry;
  entry.path = std::move(path);
  entry.type = FileType::hardlink;
  entry.link_target = std::move(target);
  return entry;
}

inline LayerTable layer(std::initializer_list<FileEntry> entries) {
  return LayerTable{std::vector<FileEntry>(entries)};
}

} // namespace analyzer::test
