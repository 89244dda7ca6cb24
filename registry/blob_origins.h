#pragma once

#include "core/content_store.h"
#include "core/oci_types.h"

#include <string>
#include <string_view>
#include <vector>

namespace registry {

/// Which registry repositories are known to hold a blob, so a push to another
/// repository of the same registry can mount it instead of uploading it.
/// Kept next to the blobs as `<store root>/registry-origins/<hex>`, one
/// "host/repository" per line, appended with O_APPEND (safe between processes).

/// Records that `repository` ("localhost:5000/team/app") holds the config and
/// layers of `manifest`. Best effort: a failure to write is ignored.
void record_origin(const core::ContentStore& store, const core::Manifest& manifest,
                   std::string_view repository);

/// The repositories recorded for `digest`, oldest first, without duplicates.
std::vector<std::string> blob_origins(const core::ContentStore& store, const core::Digest& digest);

} // namespace registry
