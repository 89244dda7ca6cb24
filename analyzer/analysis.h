#pragma once

#include "analyzer/dive_efficiency.h"
#include "analyzer/image_info.h"
#include "analyzer/layer_table.h"
#include "analyzer/layer_walk.h"
#include "analyzer/rules.h"
#include "analyzer/waste.h"

#include <string>
#include <vector>

namespace analyzer {

/// An image as the analysis sees it: metadata plus one file table per layer.
struct Image {
  ImageInfo info;
  std::vector<LayerTable> layers; ///< base first, index = layer index
};

/// Everything cscan computes about an image.
struct Analysis {
  LayerWalk walk;
  DiveEfficiency dive;
  Waste waste;
  std::vector<Finding> findings; ///< worst first, then most bytes
  /// The secret rules behind "secret/..." findings (those that fired), by id.
  std::vector<DynamicRule> secret_rules;
};

/// The rule behind `id`: a static rule, or one of `dynamic`; nullopt if neither.
std::optional<Rule> rule_for(std::string_view id, const std::vector<DynamicRule>& dynamic);

/// Runs the walk, both efficiency computations and every rule.
Analysis analyze(const Image& image);

/// Efficiency findings (waste pairs, caches, temp files, duplicates, dangling
/// whiteouts) from a computed Waste.
std::vector<Finding> efficiency_findings(const Image& image, const LayerWalk& walk,
                                         const Waste& waste);

/// Config checks: root user, healthcheck, ADD from URL, secret-looking ENV.
std::vector<Finding> config_findings(const ImageInfo& info);

/// File checks on the final tree: setuid/setgid, world-writable, file capabilities.
std::vector<Finding> file_findings(const Image& image, const LayerWalk& walk);

/// Sorts findings worst first, then by bytes, then by rule id and path.
void sort_findings(std::vector<Finding>& findings);

/// "layer 3 (COPY . /srv)", with the instruction shortened to `width` chars.
std::string describe_layer(const ImageInfo& info, std::uint32_t layer, std::size_t width = 60);

/// "1.5 MB", "300 B": decimal units as docker prints sizes.
std::string human_bytes(std::uint64_t bytes);

} // namespace analyzer
