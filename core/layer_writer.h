#pragma once

#include "core/compression.h"
#include "core/digest.h"
#include "core/stream.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace core {

/// Where a LayerWriter compresses and writes the blob: on a thread of its own
/// (reading files and hashing go on in parallel; the default) or on the
/// caller's thread.
enum class CompressThreading { own_thread, same_thread };

struct LayerWriterOptions {
  Compression compression = Compression::zstd;
  CompressOptions compress;
  /// When set, every mtime later than this is clamped to it (reproducible
  /// builds). See source_date_epoch_from_env().
  std::optional<std::int64_t> source_date_epoch;
  CompressThreading threading = CompressThreading::own_thread;
};

/// What finish() returns: the two digests a manifest and config need.
struct LayerResult {
  Digest diff_id;     ///< sha256 of the uncompressed tar
  Digest digest;      ///< sha256 of the blob as written (compressed)
  std::uint64_t size; ///< bytes of the blob as written
  Compression compression;
  std::uint64_t uncompressed_size; ///< bytes of the tar
  std::uint64_t entry_count;       ///< entries written, whiteouts included
  /// Things skipped on purpose, one sentence each ("skipped socket 'run/x.sock'").
  std::vector<std::string> notes;
};

/// Builds a layer from files on disk: collects entries (a whole tree, single
/// paths, whiteouts), then finish() writes them as one deterministic tar
/// (see TarWriter) in byte order of their paths, compresses it and streams
/// the blob to `blob`, computing diff_id, digest and size in the same pass.
///
/// Files that are hardlinked to each other (same device and inode) are
/// stored once; later paths become hardlink entries. Sockets are skipped
/// with a note. Xattrs are recorded sorted (security.selinux is not: it
/// describes the host). Adding a path twice keeps the last one.
///
/// `blob` (not owned) is written only during finish(), which also calls
/// blob.finish(). If finish() is not reached, the destructor just releases
/// memory; the caller discards the partial blob.
class LayerWriter {
public:
  explicit LayerWriter(OutputStream& blob, LayerWriterOptions options = {});
  ~LayerWriter();
  LayerWriter(const LayerWriter&) = delete;
  LayerWriter& operator=(const LayerWriter&) = delete;

  /// Adds everything below directory `dir` (not following symlinks) under
  /// layer path `under` ("" puts it at the layer root). With a non-empty
  /// `under`, `dir` itself becomes the entry `under`.
  void add_tree(const std::filesystem::path& dir, std::string_view under = {});

  /// Adds one entry `layer_path` whose type, metadata and content come from
  /// `source` (lstat; a directory's children are not added).
  void add_path(std::string_view layer_path, const std::filesystem::path& source);

  /// Adds the whiteout that deletes `layer_path` from lower layers.
  void add_whiteout(std::string_view layer_path);

  /// Adds the opaque whiteout that hides lower layers' contents of `dir`.
  void add_opaque_whiteout(std::string_view dir);

  /// Writes the layer. Throws core::Error (I/O, a file that changed while
  /// being read) naming the path.
  LayerResult finish();

private:
  struct Pending {
    std::filesystem::path source; ///< empty: a whiteout marker
  };
  void write_all(class TarWriter& tar, LayerResult& result);

  OutputStream& m_blob;
  LayerWriterOptions m_options;
  std::map<std::string, Pending> m_entries; ///< byte order of the path
};

/// $SOURCE_DATE_EPOCH as seconds; nullopt when unset. Throws InputError when
/// it is set but not a non-negative integer.
std::optional<std::int64_t> source_date_epoch_from_env();

/// Parses a SOURCE_DATE_EPOCH value (decimal seconds, >= 0). Throws
/// InputError "<origin> '<text>': not a non-negative number of seconds".
std::int64_t parse_source_date_epoch(std::string_view text, std::string_view origin);

} // namespace core
