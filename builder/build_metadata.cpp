#include "builder/build_metadata.h"

#include "core/layer_writer.h"

namespace builder {

nlohmann::json build_metadata(const BuildResult& result,
                              const std::vector<registry::Reference>& tags) {
  nlohmann::json out = {
      {"containerimage.digest", result.manifest.digest.str()},
      {"containerimage.config.digest", result.image_id.str()},
      {"containerimage.descriptor",
       {{"mediaType", result.manifest.media_type},
        {"digest", result.manifest.digest.str()},
        {"size", result.manifest.size}}},
  };
  std::string names;
  for (const registry::Reference& tag : tags) {
    names += (names.empty() ? "" : ",") + tag.str();
  }
  if (!names.empty()) {
    out["image.name"] = names;
  }
  return out;
}

std::optional<std::int64_t>
source_date_epoch_for(const std::vector<std::pair<std::string, std::string>>& build_args) {
  // The last --build-arg wins, as for any build arg; an empty one unsets it.
  for (auto it = build_args.rbegin(); it != build_args.rend(); ++it) {
    if (it->first == "SOURCE_DATE_EPOCH") {
      if (it->second.empty()) {
        return std::nullopt;
      }
      return core::parse_source_date_epoch(it->second, "--build-arg SOURCE_DATE_EPOCH");
    }
  }
  return core::source_date_epoch_from_env();
}

} // namespace builder
