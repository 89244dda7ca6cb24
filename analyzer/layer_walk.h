#pragma once

#include "analyzer/layer_table.h"

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace analyzer {

/// One copy of a path: entry `entry` of layer `layer`.
struct VersionRef {
  std::uint32_t layer = 0;
  std::uint32_t entry = 0;
  friend bool operator==(const VersionRef&, const VersionRef&) = default;
  friend auto operator<=>(const VersionRef&, const VersionRef&) = default;
};

/// How a layer hid a copy that a lower (or the same) layer wrote.
enum class HiddenBy {
  overwritten,     ///< the same path written again
  whiteout,        ///< `.wh.<name>` of the path or of a parent directory
  opaque_whiteout, ///< `.wh..wh..opq` in a parent directory
  replaced_parent, ///< a parent turned into a non-directory (or a dir into a file)
};

/// A copy of a path that is shipped in the image but not visible in the
/// final tree: the raw material of waste.
struct HiddenCopy {
  VersionRef version;         ///< the copy that became invisible
  std::uint32_t by_layer = 0; ///< the layer that hid it
  HiddenBy how = HiddenBy::overwritten;
  /// The hiding entry: for `overwritten`, the new copy; for whiteouts, the
  /// whiteout entry. Unset when a parent was replaced.
  std::optional<VersionRef> by_entry;
  bool same_content = false; ///< overwritten by identical bytes (chmod, chown, touch)
  bool still_linked = false; ///< a surviving hardlink still shows these bytes
};

/// What an entry did to the tree when its layer was applied.
enum class EntryChange {
  added,    ///< path did not exist below
  modified, ///< path existed below (or earlier in the same layer)
  removed,  ///< a whiteout that removed something
  dangling, ///< a whiteout whose target does not exist below (tolerated)
  opaque,   ///< an opaque whiteout (what it hid is in `hidden`)
  root,     ///< the layer's "./" entry, not part of the tree
};

/// A visible path of the merged tree.
struct MergedFile {
  VersionRef version;
  /// For hardlinks, the regular-file copy whose bytes the link shows.
  std::optional<VersionRef> hardlink_to;
};

/// Per-layer counters of the walk (hardlinks count as files with 0 bytes).
struct LayerChanges {
  std::uint64_t added_files = 0, added_bytes = 0;
  std::uint64_t modified_files = 0, modified_bytes = 0;
  std::uint64_t removed_files = 0, removed_bytes = 0; ///< lower copies this layer deleted
};

/// The result of applying all layers in order.
struct LayerWalk {
  std::map<std::string, MergedFile> final_tree;        ///< sorted by path
  std::vector<std::vector<EntryChange>> entry_changes; ///< [layer][entry]
  std::vector<LayerChanges> changes;                   ///< [layer]
  std::vector<HiddenCopy> hidden;                      ///< in walk order
  /// Whiteouts (layer, entry) that removed nothing; dive aborts on these.
  std::vector<VersionRef> dangling_whiteouts;
};

/// Applies `layers` base first with the OCI rules (image-formats.md §6):
/// whiteouts and opaque whiteouts act only on lower layers, a non-directory
/// over a directory removes its subtree, a directory over a directory only
/// changes attributes. Never throws on odd input: duplicates in one layer keep
/// the last copy, dangling whiteouts are recorded.
LayerWalk walk_layers(std::span<const LayerTable> layers);

/// The merged tree after layers 0..`last` (inclusive), for `cscan tree --layer`.
std::map<std::string, MergedFile> merged_tree_at(std::span<const LayerTable> layers,
                                                 std::uint32_t last);

} // namespace analyzer
