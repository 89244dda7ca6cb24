#pragma once

#include "core/content_store.h"
#include "core/image_config.h"
#include "core/oci_types.h"
#include "registry/reference.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace registry {

/// A tag in the store: a normalised reference and the manifest it names.
struct StoredImage {
  Reference reference;
  core::Descriptor manifest;
};

/// An image read from the store: the exact stored bytes (never re-serialised:
/// their digests are the image's identity) and their parsed forms.
struct ImageData {
  core::Descriptor manifest_descriptor;
  std::string manifest_bytes;
  core::Manifest manifest;
  std::string config_bytes;
  core::ImageConfig config;

  /// Docker's image id: the config digest.
  const core::Digest& id() const { return manifest.config.digest; }
};

/// The local image store shared by cbuild and cscan. On disk it is an OCI
/// image layout (`oci-layout`, `index.json`, `blobs/sha256/…`), so skopeo and
/// umoci can read it too; each tag is an index.json entry annotated with the
/// full reference. index.json changes under an exclusive flock on
/// `<root>/index.lock` and are published with an atomic rename, so two
/// processes can tag at once and a SIGKILL leaves either the old or the new
/// index. Other folders under the root (snapshots, cache) belong to the builder.
class ImageStore {
public:
  /// Opens (creating if needed) the store at `root`.
  explicit ImageStore(std::filesystem::path root);

  /// /var/lib/cbuild for root; $XDG_DATA_HOME/cbuild (or ~/.local/share/cbuild) otherwise.
  static std::filesystem::path default_root();

  const std::filesystem::path& root() const noexcept { return m_root; }
  const core::ContentStore& blobs() const noexcept { return m_blobs; }

  /// Every tag, sorted by reference.
  std::vector<StoredImage> list() const;

  /// Finds an image by reference ("busybox", "localhost/app:v1"), by image id
  /// (config digest, "sha256:…" or a unique hex prefix of at least 4 digits) or
  /// by manifest digest. nullopt when nothing matches; InputError when an id
  /// prefix is ambiguous.
  std::optional<core::Descriptor> find(std::string_view name) const;

  /// Reads and verifies a manifest and its config.
  ImageData read(const core::Descriptor& manifest) const;

  /// Stores `config` and an OCI manifest over `layers` (whose blobs must be in
  /// the store already) and returns the manifest's descriptor.
  core::Descriptor put_image(const core::ImageConfig& config,
                             const std::vector<core::Descriptor>& layers) const;

  /// Points `reference` at `manifest` (replacing an earlier image of that name).
  void tag(const core::Descriptor& manifest, const Reference& reference) const;

  /// Removes the tag. False when there was no such tag.
  bool untag(const Reference& reference) const;

  /// Deletes blobs that no tag reaches (manifests, configs, layers) except
  /// those in `keep`. Returns the bytes freed.
  std::uint64_t prune_blobs(const std::vector<core::Digest>& keep = {}) const;

private:
  core::Index read_index() const;
  void write_index(const core::Index& index) const;

  std::filesystem::path m_root;
  core::ContentStore m_blobs;
};

} // namespace registry
