#pragma once

#include "builder/executor.h"
#include "registry/reference.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

/// What `cbuild build` reports about a finished build to other tools:
/// `--metadata-file` (buildx's keys) and the SOURCE_DATE_EPOCH it used.
namespace builder {

/// The --metadata-file document, with the keys `docker buildx build
/// --metadata-file` writes: "containerimage.digest" (the manifest digest),
/// "containerimage.config.digest", "containerimage.descriptor" and, when the
/// image was tagged, "image.name" (the full names, comma-separated).
nlohmann::json build_metadata(const BuildResult& result,
                              const std::vector<registry::Reference>& tags);

/// SOURCE_DATE_EPOCH for a build: the build arg of that name when given
/// (BuildKit's rule), else the environment variable; nullopt when neither
/// is set. Throws InputError naming the origin for a value that is not a
/// non-negative integer.
std::optional<std::int64_t>
source_date_epoch_for(const std::vector<std::pair<std::string, std::string>>& build_args);

} // namespace builder
