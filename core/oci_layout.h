#pragma once

#include "core/image_export.h"
#include "core/image_source.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace core {

/// The files of an OCI image layout, wherever they are: a directory or the
/// members of an oci-archive. Paths are relative ("index.json",
/// "blobs/sha256/<hex>").
class LayoutFiles {
public:
  virtual ~LayoutFiles() = default;
  /// The layout's name in messages (directory path or archive file name).
  virtual const std::string& name() const = 0;
  /// The whole file, or nullopt when absent. InputError when above `limit`.
  virtual std::optional<std::string> read(std::string_view path, size_t limit) const = 0;
  /// The file's size, or nullopt when absent.
  virtual std::optional<std::uint64_t> size(std::string_view path) const = 0;
  /// A stream over an existing file; `what` is set to how errors name it.
  virtual std::unique_ptr<InputStream> open(std::string_view path, std::string& what) const = 0;
};

/// An ImageSource over any LayoutFiles ("oci" or "oci-archive" format).
/// Reads oci-layout and index.json at once; InputError if they are missing
/// or malformed ("DIR: oci-layout: missing (not an OCI image layout)").
std::unique_ptr<ImageSource> make_oci_source(std::unique_ptr<LayoutFiles> files,
                                             std::string format);

/// Opens an OCI image-layout directory.
std::unique_ptr<ImageSource> open_oci_layout(const std::filesystem::path& dir);

/// Writes images into an OCI image-layout directory (created if absent):
/// blobs (verified) into blobs/sha256, then oci-layout, then index.json with
/// one entry per name (annotation org.opencontainers.image.ref.name). Entries
/// of an existing index.json are kept unless a new image takes their name.
void write_oci_layout(const std::filesystem::path& dir, const std::vector<ExportImage>& images,
                      const BlobOpener& blobs);

/// The index.json an OCI layout/archive writer produces for `images`, added to
/// `existing` (entries whose ref name is taken again are dropped).
Index layout_index(const std::vector<ExportImage>& images, Index existing);

/// Every blob `images` reference (manifests excluded), deduplicated, in
/// digest order. InputError if a manifest is malformed.
std::vector<Descriptor> referenced_blobs(const std::vector<ExportImage>& images);

/// The oci-layout file's content.
inline constexpr std::string_view k_oci_layout_file = "{\"imageLayoutVersion\":\"1.0.0\"}";

} // namespace core
