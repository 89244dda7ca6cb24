#pragma once

#include "analyzer/layer_table.h"
#include "analyzer/layer_walk.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace analyzer {

/// Why bytes written by one layer are invisible in the final image.
enum class WasteKind {
  rewritten, ///< overwritten by identical bytes (chmod, chown, touch, re-COPY)
  replaced,  ///< overwritten by different bytes
  deleted,   ///< removed by a whiteout, an opaque whiteout or a replaced parent
};

/// Waste attributed to the pair of layers that wrote and then hid the bytes.
struct WastePair {
  std::uint32_t written_layer = 0;
  std::uint32_t hidden_by_layer = 0;
  WasteKind kind = WasteKind::replaced;
  std::uint64_t bytes = 0;
  std::uint64_t files = 0;
  std::vector<std::string> examples; ///< the largest paths, at most 3
};

/// Regular files with identical content shipped in more than one layer.
struct DuplicateContent {
  ContentHash hash{};
  std::uint64_t size = 0; ///< of one copy
  std::vector<VersionRef> copies;
  std::uint64_t extra_bytes() const { return size * (copies.size() - 1); }
};

/// Package-manager caches and temporary files a layer wrote.
struct Leftover {
  std::string category; ///< key of leftover_categories(), e.g. "apt-lists"
  std::uint32_t layer = 0;
  std::uint64_t bytes = 0;
  std::uint64_t files = 0;
  bool still_visible = false; ///< some of them are in the final tree
  std::string example;        ///< the largest path
};

/// Our corrected figures: each hidden copy counted once, the surviving copy
/// not, deleted directories and opaque whiteouts included, hardlinks once.
struct Waste {
  std::uint64_t image_size = 0;  ///< Σ layer content sizes
  std::uint64_t reclaimable = 0; ///< bytes shipped but not visible
  double efficiency = 1.0;       ///< (image_size − reclaimable) / image_size
  std::uint64_t rewritten_bytes = 0, replaced_bytes = 0, deleted_bytes = 0;
  std::vector<WastePair> pairs;             ///< largest first
  std::vector<DuplicateContent> duplicates; ///< largest extra bytes first
  std::vector<Leftover> leftovers;          ///< largest first
  std::vector<VersionRef> dangling_whiteouts;
};

/// Only files at least this large count as duplicate content.
inline constexpr std::uint64_t k_duplicate_min_size = 1024;

/// Computes the corrected figures and the attributions from a walk of `layers`.
Waste compute_waste(std::span<const LayerTable> layers, const LayerWalk& walk);

/// A category of leftovers: id, description and the advice a finding gives.
struct LeftoverCategory {
  const char* id;
  const char* what;
  const char* advice;
};

/// The category of cache/temporary files `path` belongs to, or nullptr.
const LeftoverCategory* leftover_category(std::string_view path);

} // namespace analyzer
