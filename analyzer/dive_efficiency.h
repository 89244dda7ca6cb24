#pragma once

#include "analyzer/layer_table.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace analyzer {

/// A path dive lists as inefficient (seen in two or more layers).
struct DiveInefficientPath {
  std::string path;            ///< "/etc/passwd", as dive prints it
  std::uint32_t count = 0;     ///< copies dive saw
  std::int64_t cumulative = 0; ///< Σ of their sizes (dive's "Wasted Space")
};

/// The figures dive prints, computed the way dive computes them
/// (dive/filetree/efficiency.go, efficiency.md §2), defects included, so CI
/// thresholds carry over from dive unchanged.
struct DiveEfficiency {
  double efficiency = 1.0;          ///< Σ min / Σ cumulative over visited paths
  std::int64_t wasted_bytes = 0;    ///< Σ cumulative over inefficient paths
  double user_wasted_percent = 0.0; ///< wasted / user size, a ratio (NaN when user size is 0)
  std::uint64_t image_size = 0;     ///< Σ layer sizes
  std::uint64_t user_size = 0;      ///< Σ layer sizes without layer 0
  std::vector<DiveInefficientPath> inefficient; ///< largest cumulative first
  /// Dangling whiteouts at which dive stops reading the rest of a layer:
  /// "layer N: /path". Figures above include that effect, as in dive.
  std::vector<std::string> aborted_layers;
};

/// Computes dive's figures for `layers` (base first).
DiveEfficiency dive_efficiency(std::span<const LayerTable> layers);

} // namespace analyzer
