#include "analyzer/layer_table.h"

namespace analyzer {

std::uint64_t LayerTable::content_size() const {
  std::uint64_t total = 0;
  for (const FileEntry& entry : entries)
    total += entry.size;
  return total;
}

const char* to_string(FileType type) {
  switch (type) {
  case FileType::regular: return "file";
  case FileType::directory: return "dir";
  case FileType::symlink: return "symlink";
  case FileType::hardlink: return "hardlink";
  case FileType::char_device: return "chardev";
  case FileType::block_device: return "blockdev";
  case FileType::fifo: return "fifo";
  case FileType::whiteout: return "whiteout";
  case FileType::opaque_whiteout: return "opaque-whiteout";
  }
  return "?";
}

std::string to_hex(const ContentHash& hash) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (std::uint8_t byte : hash) {
    out += digits[byte >> 4];
    out += digits[byte & 15];
  }
  return out;
}

} // namespace analyzer
