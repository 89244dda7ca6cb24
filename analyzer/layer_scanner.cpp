#include "analyzer/layer_scanner.h"

#include "core/digest.h"
#include "core/error.h"
#include "core/tar_reader.h"
#include "core/whiteout.h"

#include <vector>

namespace analyzer {
namespace {

/// Counts the compressed bytes for the progress line.
class CountingStream : public core::InputStream {
public:
  CountingStream(core::InputStream& next, ScanProgress* progress)
      : m_next(next), m_progress(progress) {}
  size_t read(void* buffer, size_t size) override {
    size_t got = m_next.read(buffer, size);
    if (m_progress)
      m_progress->blob_bytes.fetch_add(got, std::memory_order_relaxed);
    return got;
  }

private:
  core::InputStream& m_next;
  ScanProgress* m_progress;
};

/// Hashes the uncompressed tar on its way to the tar reader: the diff_id.
class HashingStream : public core::InputStream {
public:
  explicit HashingStream(core::InputStream& next) : m_next(next) {}
  size_t read(void* buffer, size_t size) override {
    size_t got = m_next.read(buffer, size);
    m_hasher.update(buffer, got);
    return got;
  }
  core::Sha256& hasher() { return m_hasher; }

private:
  core::InputStream& m_next;
  core::Sha256 m_hasher;
};

void drain(core::InputStream& in, std::vector<char>& buffer) {
  while (in.read(buffer.data(), buffer.size()) != 0) {
  }
}

FileType type_of(core::TarEntryType type) {
  switch (type) {
  case core::TarEntryType::regular: return FileType::regular;
  case core::TarEntryType::hardlink: return FileType::hardlink;
  case core::TarEntryType::symlink: return FileType::symlink;
  case core::TarEntryType::char_device: return FileType::char_device;
  case core::TarEntryType::block_device: return FileType::block_device;
  case core::TarEntryType::directory: return FileType::directory;
  case core::TarEntryType::fifo: return FileType::fifo;
  }
  return FileType::regular;
}

/// The table entry for a tar entry; nullopt for entries the tree ignores
/// (AUFS metadata such as ".wh..wh.plnk").
std::optional<FileEntry> to_file_entry(core::TarEntry&& tar) {
  FileEntry entry;
  entry.type = type_of(tar.type);
  entry.size = tar.size;
  entry.mode = tar.mode & 07777;
  entry.uid = tar.uid;
  entry.gid = tar.gid;
  entry.link_target = std::move(tar.link_target);
  for (const auto& [name, value] : tar.xattrs)
    entry.has_file_capabilities |= name == "security.capability";
  if (core::is_whiteout(tar.path)) {
    if (auto dir = core::opaque_whiteout_dir(tar.path)) {
      entry.type = FileType::opaque_whiteout;
      entry.path = *dir == "." ? std::string() : *dir;
    } else if (auto target = core::whiteout_target(tar.path)) {
      entry.type = FileType::whiteout;
      entry.path = std::move(*target);
    } else {
      return std::nullopt;
    }
    entry.size = 0;
    return entry;
  }
  entry.path = tar.path == "." ? std::string() : std::move(tar.path);
  return entry;
}

void read_content(core::TarReader& reader, std::uint32_t layer, FileEntry& entry,
                  const ScanOptions& options, std::vector<char>& buffer) {
  core::Sha256 hasher;
  for (;;) {
    size_t got = reader.read_data(buffer.data(), buffer.size());
    if (got == 0)
      break;
    if (options.hash_content)
      hasher.update(buffer.data(), got);
    if (options.hook)
      (*options.hook)(layer, entry, std::string_view(buffer.data(), got), false);
  }
  if (options.hook)
    (*options.hook)(layer, entry, std::string_view(), true);
  if (options.hash_content) {
    core::Digest digest = hasher.finish();
    std::string_view hex = digest.hex();
    ContentHash hash{};
    for (size_t i = 0; i < hash.size(); ++i) {
      auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
      hash[i] = static_cast<std::uint8_t>(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
    }
    entry.content = hash;
  }
}

} // namespace

LayerScan scan_layer(core::InputStream& blob, std::uint32_t layer, const std::string& name,
                     const ScanOptions& options) {
  LayerScan scan;
  std::vector<char> buffer(256 * 1024);
  CountingStream counted(blob, options.progress);
  core::DecompressedStream decompressed = core::open_decompressed(counted, name, options.limits);
  scan.compression = decompressed.compression;
  HashingStream tar_bytes(*decompressed.stream);
  {
    core::TarReaderOptions tar_options;
    tar_options.decompress = options.limits;
    core::TarReader reader(tar_bytes, name, tar_options);
    while (auto tar = reader.next()) {
      std::optional<FileEntry> entry = to_file_entry(std::move(*tar));
      if (!entry)
        continue;
      if (entry->type == FileType::regular && (options.hash_content || options.hook))
        read_content(reader, layer, *entry, options, buffer);
      scan.table.entries.push_back(std::move(*entry));
    }
  }
  // Whatever follows the end-of-archive blocks is part of the diff_id, and the
  // blob must be read to its end for the verifying stream to check it.
  drain(tar_bytes, buffer);
  drain(counted, buffer);
  scan.tar_size = tar_bytes.hasher().size();
  scan.diff_id = tar_bytes.hasher().finish().str();
  if (options.progress)
    options.progress->layers_done.fetch_add(1, std::memory_order_relaxed);
  return scan;
}

} // namespace analyzer
