#include "builder/base_image.h"

#include "core/error.h"
#include "registry/pull.h"

#include <iostream>

namespace builder {

registry::ImageData load_image(const registry::ImageStore& store, const std::string& name,
                               const BaseImagePolicy& policy) {
  std::optional<core::Descriptor> found = store.find(name);
  if (found && !policy.pull) {
    return store.read(*found);
  }
  std::optional<registry::Reference> ref = registry::try_parse_reference(name);
  if (!ref) {
    throw core::InputError("image '" + name +
                           "' is not in the local store and is no registry reference; "
                           "import or load it (cbuild import, cbuild load)");
  }
  try {
    registry::PullResult pulled = registry::pull_to_store(*ref, store, {.client = policy.client});
    if (!policy.quiet) {
      std::cerr << "pulled " << ref->str() << " (" << pulled.manifest.digest.str() << ", "
                << pulled.blobs_fetched << " blobs fetched)\n";
    }
    return store.read(pulled.manifest);
  } catch (const core::InputError&) {
    throw;
  } catch (const core::Error& e) {
    throw core::InputError("image '" + name + "' is " +
                           (found ? "in the local store, but --pull failed: "
                                  : "not in the local store, and pulling it failed: ") +
                           e.what());
  }
}

} // namespace builder
