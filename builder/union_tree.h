#pragma once

#include <filesystem>
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

/// The part of a COPY source pattern before its first component with a
/// wildcard (`*`, `?`, `[`, `\`): "/out/*.txt" -> "out", "*.c" -> "".
std::string static_prefix(const std::string& pattern);

} // namespace builder
