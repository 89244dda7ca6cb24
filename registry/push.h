#pragma once

#include "core/oci_types.h"
#include "registry/reference.h"
#include "registry/registry_client.h"

#include <cstdint>

namespace registry {

class ImageStore;

/// How to push.
struct PushOptions {
  ClientOptions client{};
  unsigned parallel = 3;      ///< blobs uploaded at once
  bool show_progress = false; ///< per-layer lines on stderr (callers pass is_tty)
};

/// What a push did, per blob: skipped (the registry had it), mounted from
/// another repository of the same registry, or uploaded.
struct PushStats {
  std::size_t blobs_skipped = 0;
  std::size_t blobs_mounted = 0;
  std::size_t blobs_uploaded = 0;
  std::uint64_t bytes_uploaded = 0;
};

/// What push_image did.
struct PushResult {
  core::Digest digest; ///< the manifest's digest, as the registry confirmed it
  PushStats stats;
};

/// Pushes `blobs` (which must be in `store`) to the repository of `client`,
/// `options.parallel` at a time: HEAD, then a mount from a repository of the
/// same host known to hold the blob (blob_origins), else an upload. `dest`
/// names the repository for the origin lookup.
PushStats push_blobs(RegistryClient& client, const core::ContentStore& store,
                     const std::vector<core::Descriptor>& blobs, const Reference& dest,
                     const PushOptions& options);

/// Pushes the image whose manifest is `manifest` (in `store`) to `dest`: its
/// config and layers first (HEAD, then a cross-repository mount when the blob
/// is known to be in another repository of that registry, else an upload;
/// several at once), then the manifest bytes unchanged under dest's tag (or
/// digest). Records `dest` as an origin of the blobs for later mounts.
PushResult push_image(const ImageStore& store, const core::Descriptor& manifest,
                      const Reference& dest, const PushOptions& options);

} // namespace registry
