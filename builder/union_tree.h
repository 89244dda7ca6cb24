#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace builder {

/// The file system another stage or image shows to COPY --from and RUN
/// --mount from=, rebuilt from its layers' snapshot dirs (overlay lower dirs,
/// top first: whiteouts are 0/0 character devices, opaque directories carry
/// trusted.overlay.opaque=y) as overlayfs would merge them.
///
/// Only `paths` (root-relative; "" or "/" is everything) are rebuilt, with
/// what they need to be reached: their parent directories and the symlinks
/// on the way, followed inside the union (absolute targets from its root).
/// Files become hard links to the snapshots' files: nothing is read or
/// copied and no inode is allocated, so a COPY of /out from a stage with
/// 20,000 other files costs what /out holds. The result must be treated as
/// read-only (the links share the snapshots' inodes). A path that does not
/// exist is left out; the caller's lookup reports it.
void materialize_union(const std::vector<std::filesystem::path>& layers_top_first,
                       const std::vector<std::string>& paths, const std::filesystem::path& dest);

/// One entry of the union: the layer file that shows it, and its lstat.
struct UnionEntry {
  std::filesystem::path file;
  struct stat st;
};

/// What `path` (image-absolute or root-relative, clean) is in the union of
/// `layers_top_first`, as overlayfs shows it, without following a symlink
/// anywhere: a parent that is not a directory in the union makes the path
/// absent (resolve symlinks first, see layered_path.h). Whiteouts and opaque
/// directories hide what lies below them; nothing outside the layers is
/// ever looked at. nullopt when absent or deleted.
std::optional<UnionEntry> union_lookup(const std::vector<std::filesystem::path>& layers_top_first,
                                       const std::string& path);

/// The part of a COPY source pattern before its first component with a
/// wildcard (`*`, `?`, `[`, `\`): "/out/*.txt" -> "out", "*.c" -> "".
std::string static_prefix(const std::string& pattern);

} // namespace builder
