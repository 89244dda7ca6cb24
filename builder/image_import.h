#pragma once

#include "core/compression.h"
#include "core/image_config.h"
#include "core/oci_types.h"
#include "registry/image_store.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace builder {

struct ImportOptions {
  core::Compression compression = core::Compression::gzip;
  /// Timestamps (config, history, clamped file mtimes) come from this when set.
  std::optional<std::int64_t> source_date_epoch;
  /// Config of the new image (Env, Cmd, ...); architecture, os, rootfs and
  /// history are filled in by the import.
  core::RunConfig config;
  std::string message; ///< history comment; default "Imported from <source>"
};

/// Makes a one-layer image from a root file system, like `docker import`: a
/// directory is written as a deterministic layer; a tar (plain, gzip or zstd)
/// is read entry by entry, checked (no path escapes the root) and written
/// again in canonical form. Returns the manifest descriptor of the stored
/// image (not tagged). Throws InputError for a bad source, Error for I/O.
core::Descriptor import_rootfs(const registry::ImageStore& store,
                               const std::filesystem::path& source, const ImportOptions& options);

} // namespace builder
