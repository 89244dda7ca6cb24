#pragma once

#include "core/content_store.h"
#include "core/oci_types.h"
#include "registry/reference.h"
#include "registry/registry_client.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace registry {

class ImageStore;

/// How to pull.
struct PullOptions {
  ClientOptions client{};
  /// The platform to take from an index; nullopt means linux/amd64 (the host's
  /// platform on other machines). A single-platform image that does not match
  /// an explicit platform is refused.
  std::optional<core::Platform> platform{};
  unsigned parallel = 3;      ///< blobs fetched at once
  bool show_progress = false; ///< per-layer lines on stderr (callers pass is_tty)
};

/// What a pull did.
struct PullResult {
  core::Descriptor manifest;         ///< the platform's manifest, as stored
  std::optional<core::Digest> index; ///< the index it was chosen from, if any
  std::string platform;              ///< "linux/amd64" of the chosen manifest, if known
  std::size_t blobs_fetched = 0;     ///< config and layers downloaded
  std::size_t blobs_present = 0;     ///< already in the store
  std::uint64_t bytes_fetched = 0;
};

/// Parses "os/arch[/variant]" (e.g. "linux/arm64/v8"); InputError otherwise.
core::Platform parse_platform_spec(std::string_view text);

/// Chooses the manifest for `wanted` from an index: an exact variant match
/// first, then the first entry for os/arch. Throws core::Error listing the
/// platforms the index offers when none fits.
core::Descriptor select_platform(const core::Index& index, const core::Platform& wanted,
                                 std::string_view name);

/// Downloads `ref` into `store`'s blobs (config and layers in parallel, each
/// verified as it streams; blobs already present are not fetched), then
/// stores the manifest bytes. Does not tag.
PullResult pull_image(const Reference& ref, const core::ContentStore& store,
                      const PullOptions& options);

/// pull_image() into an image store, then tags the manifest as `ref`.
PullResult pull_to_store(const Reference& ref, const ImageStore& store, const PullOptions& options);

} // namespace registry
