#include "builder/image_import.h"

#include "core/error.h"
#include "core/hashing_stream.h"
#include "core/layer_writer.h"
#include "core/media_types.h"
#include "core/tar_reader.h"
#include "core/tar_writer.h"
#include "core/time_util.h"

#include <chrono>
#include <vector>

namespace builder {

namespace fs = std::filesystem;

namespace {

struct LayerBlob {
  core::Digest diff_id;
  core::Descriptor descriptor;
};

/// Writes a directory tree as a deterministic layer into the store.
LayerBlob import_directory(const registry::ImageStore& store, const fs::path& dir,
                           const ImportOptions& options) {
  core::ContentStore::Writer blob = store.blobs().writer();
  core::LayerWriter layer(blob, {.compression = options.compression,
                                 .compress = {},
                                 .source_date_epoch = options.source_date_epoch});
  layer.add_tree(dir);
  core::LayerResult result = layer.finish();
  core::Digest digest = blob.commit(result.digest, result.size);
  return {result.diff_id,
          {.media_type = std::string(core::oci_layer_media_type(options.compression)),
           .digest = digest,
           .size = static_cast<std::int64_t>(result.size)}};
}

/// Re-writes a tar entry by entry: TarReader refuses paths that escape the
/// root, and the written form is canonical (PAX, numeric ids, clamped mtimes).
LayerBlob import_tar(const registry::ImageStore& store, const fs::path& file,
                     const ImportOptions& options) {
  core::FdInputStream in = core::FdInputStream::open(file);
  core::TarReader reader(in, file.string());
  core::ContentStore::Writer blob = store.blobs().writer();
  std::unique_ptr<core::OutputStream> compressor = core::make_compressor(options.compression, blob);
  core::HashingOutputStream tar_bytes(*compressor);
  core::TarWriter writer(tar_bytes);
  std::vector<char> buffer(1 << 20);
  while (auto entry = reader.next()) {
    if (options.source_date_epoch && entry->mtime > *options.source_date_epoch) {
      entry->mtime = *options.source_date_epoch;
    }
    writer.write_header(*entry);
    for (size_t n; (n = reader.read_data(buffer.data(), buffer.size())) > 0;) {
      writer.write_data(buffer.data(), n);
    }
  }
  writer.finish();
  core::Digest diff_id = tar_bytes.digest();
  compressor->finish();
  std::uint64_t size = blob.size();
  core::Digest digest = blob.commit();
  return {diff_id,
          {.media_type = std::string(core::oci_layer_media_type(options.compression)),
           .digest = digest,
           .size = static_cast<std::int64_t>(size)}};
}

} // namespace

core::Descriptor import_rootfs(const registry::ImageStore& store, const fs::path& source,
                               const ImportOptions& options) {
  std::error_code ec;
  fs::file_status status = fs::status(source, ec);
  if (ec || !fs::exists(status)) {
    throw core::InputError("import: '" + source.string() + "' does not exist");
  }
  LayerBlob layer = fs::is_directory(status) ? import_directory(store, source, options)
                                             : import_tar(store, source, options);
  std::int64_t now =
      options.source_date_epoch.value_or(std::chrono::duration_cast<std::chrono::seconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count());
  core::Platform platform = core::host_platform();
  core::ImageConfig config;
  config.created = core::format_rfc3339(now);
  config.architecture = platform.architecture;
  config.os = platform.os;
  config.variant = platform.variant;
  config.config = options.config;
  config.rootfs.diff_ids = {layer.diff_id};
  core::HistoryEntry history;
  history.created = config.created;
  history.created_by = "cbuild import " + source.filename().string();
  history.comment = options.message.empty() ? "Imported from " + source.string() : options.message;
  config.history = {history};
  return store.put_image(config, {layer.descriptor});
}

} // namespace builder
