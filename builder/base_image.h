#pragma once

#include "registry/image_store.h"
#include "registry/registry_client.h"

#include <string>

namespace builder {

/// Where FROM (and COPY --from=IMAGE) images come from.
struct BaseImagePolicy {
  bool pull = false;              ///< --pull: ask the registry even when the store has the image
  bool quiet = false;             ///< no "pulled …" lines
  registry::ClientOptions client; ///< --insecure-registry, credentials
};

/// Reads a base image from the local store; when it is absent (or always,
/// with `policy.pull`) pulls it from its registry first and tags it, so the
/// store holds what the build used. The cache key records the manifest digest
/// the name resolved to, so a tag that moved is noticed. Throws
/// core::InputError "image 'x' is not in the local store, and pulling it
/// failed: …" when it cannot be had.
registry::ImageData load_image(const registry::ImageStore& store, const std::string& name,
                               const BaseImagePolicy& policy);

} // namespace builder
