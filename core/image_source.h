#pragma once

#include "core/image_config.h"
#include "core/oci_types.h"
#include "core/stream.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace core {

/// One image a source offers, as listed (before loading it).
struct ImageEntry {
  std::vector<std::string> names; ///< OCI ref names ("latest") or docker RepoTags ("busybox:1")
  Descriptor descriptor;          ///< its manifest, or an index to pick a platform from
};

/// A loaded image: manifest and config as their exact bytes and parsed.
struct Image {
  std::vector<std::string> names{};
  Descriptor manifest_descriptor;
  /// The exact bytes the digest covers. A classic docker-archive has no
  /// manifest; readers synthesise a Docker v2 manifest (then `synthesised`).
  std::string manifest_bytes{};
  Manifest manifest;
  std::string config_bytes{};
  ImageConfig config{};
  bool synthesised = false;
};

/// Reads images from one of the three transport formats: an OCI image-layout
/// directory, an OCI archive (that layout as a tar) or a docker-archive
/// (`docker save`, classic, podman's and Docker 25+ forms). Every blob read
/// through it is checked against its descriptor's digest and size.
/// Blob streams are independent: several layers may be read at once from
/// different threads.
class ImageSource {
public:
  virtual ~ImageSource() = default;

  /// "oci", "oci-archive" or "docker-archive".
  virtual std::string_view format() const = 0;
  /// The path or file name shown in messages.
  virtual const std::string& name() const = 0;
  /// The images this source holds, in its own order.
  virtual std::vector<ImageEntry> images() const = 0;
  /// A stream over the blob that throws InputError at its end unless digest
  /// and size match `descriptor`; InputError "<source>: blob sha256:…: missing".
  virtual std::unique_ptr<InputStream> open_blob(const Descriptor& descriptor) const = 0;
  virtual bool has_blob(const Digest& digest) const = 0;

  /// Loads an entry: reads the manifest (choosing `platform` from an index),
  /// then the config, verifying both.
  virtual Image load(const ImageEntry& entry, const Platform& platform = host_platform()) const;

  /// Picks an image by name (`ref` equal to a name, or to its tag after ':')
  /// or, with no `ref`, the only one; InputError listing the names otherwise.
  ImageEntry select(std::optional<std::string_view> ref) const;
  Image load(std::optional<std::string_view> ref = std::nullopt,
             const Platform& platform = host_platform()) const {
    return load(select(ref), platform);
  }

  /// Layer `i` of `image` (its blob as stored, possibly compressed), verified.
  std::unique_ptr<InputStream> open_layer(const Image& image, size_t i) const;
  /// A whole blob, verified; InputError when its descriptor says it is
  /// larger than `limit`.
  std::string read_blob(const Descriptor& descriptor, size_t limit = 64 << 20) const;
};

/// An image location as the tools take it: "oci:DIR[:REF]",
/// "oci-archive:FILE[:REF]", "docker-archive:FILE[:REF]", or a bare path (a
/// directory is an OCI layout; a file is sniffed: oci-layout + index.json
/// members make an OCI archive, else manifest.json a docker-archive).
struct SourceSpec {
  std::string transport; ///< "oci", "oci-archive", "docker-archive", or "" (detect)
  std::string path;
  std::optional<std::string> ref;
};

SourceSpec parse_source_spec(std::string_view spec);

/// Opens the source a spec names. Throws InputError for what is not an image
/// ("image.tar: not a tar archive", "image.tar: manifest.json: missing").
std::unique_ptr<ImageSource> open_image_source(const SourceSpec& spec);

} // namespace core
