#pragma once

#include "core/layer_writer.h"

#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

namespace builder {

/// True when `dir` (at `rel` in an overlay upper dir, lstat'ed as `st`) is
/// a directory overlay copied up only because something inside was created
/// and removed again: empty, not opaque, and the topmost of `lower_dirs`
/// that has `rel` has a directory there with the same mode and owner.
bool is_copy_up_only(const std::filesystem::path& dir, const struct stat& st,
                     const std::string& rel, const std::vector<std::filesystem::path>& lower_dirs);

/// What layer_from_upper() put into the layer.
struct DiffSummary {
  size_t entries = 0;      ///< files, dirs and links added
  size_t whiteouts = 0;    ///< deletions and opaque markers
  size_t skipped_dirs = 0; ///< copied-up dirs whose only change was their mtime
};

/// Adds the changes an overlay recorded in `upper` to `layer`: a 0/0
/// character device becomes a whiteout, a directory with
/// `trusted.overlay.opaque=y` gets an opaque marker, other entries are added
/// as they are. A directory that is empty in `upper` and matches the same
/// directory in `lower_dirs` (topmost first) in mode and owner is left out:
/// overlay copied it up only because something inside was created and
/// removed again. Removes overlay's own `trusted.overlay.*` xattrs from
/// `upper` first so they never reach the layer.
DiffSummary layer_from_upper(const std::filesystem::path& upper,
                             const std::vector<std::filesystem::path>& lower_dirs,
                             core::LayerWriter& layer);

} // namespace builder
