#pragma once

#include "analyzer/layer_table.h"
#include "core/compression.h"
#include "core/stream.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace analyzer {

/// The secret-scanner seam: called with every regular file's bytes while its
/// layer streams by, chunk by chunk in order, `last` set on the final call
/// (also for empty files, with an empty chunk). Runs on the layer's reader
/// thread: several layers call it at once, so it must be thread-safe across
/// layers (one layer's calls never interleave). `entry.content` is not set yet.
using ContentHook = std::function<void(std::uint32_t layer, const FileEntry& entry,
                                       std::string_view chunk, bool last)>;

/// Counters shared with a progress display (updated as bytes arrive).
struct ScanProgress {
  std::atomic<std::uint64_t> blob_bytes{0}; ///< compressed bytes read so far
  std::atomic<std::uint32_t> layers_done{0};
};

/// What reading one layer produced besides its table.
struct LayerScan {
  LayerTable table;
  std::string diff_id; ///< "sha256:…" of the uncompressed tar
  core::Compression compression = core::Compression::none;
  std::uint64_t tar_size = 0; ///< uncompressed bytes
};

/// Options of scan_layer().
struct ScanOptions {
  core::DecompressLimits limits{};
  bool hash_content = true; ///< hash regular files (duplicates, rewrite detection)
  const ContentHook* hook = nullptr;
  ScanProgress* progress = nullptr;
};

/// Streams one layer blob (plain, gzip or zstd, sniffed) into a file table,
/// hashing the uncompressed tar for its diff_id and each file's content.
/// Nothing is written to disk; memory holds one buffer and the table. Reads
/// `blob` to its end so a verifying stream can check the blob digest. Errors
/// are core::InputError naming `name` and the entry.
LayerScan scan_layer(core::InputStream& blob, std::uint32_t layer, const std::string& name,
                     const ScanOptions& options);

} // namespace analyzer
