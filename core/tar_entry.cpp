#include "core/tar_entry.h"

namespace core {

std::string_view to_string(TarEntryType type) {
  switch (type) {
  case TarEntryType::regular: return "regular";
  case TarEntryType::hardlink: return "hardlink";
  case TarEntryType::symlink: return "symlink";
  case TarEntryType::char_device: return "char_device";
  case TarEntryType::block_device: return "block_device";
  case TarEntryType::directory: return "directory";
  case TarEntryType::fifo: return "fifo";
  }
  return "unknown";
}

} // namespace core
