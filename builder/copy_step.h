#pragma once

#include "builder/context.h"
#include "builder/file_mode.h"
#include "builder/remote_file.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace builder {

/// Metadata of a path in the image's file system as it stands (for parent
/// directories COPY must not change).
struct PathInfo {
  std::uint32_t mode = 0;
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::int64_t mtime = 0;
};
using RootfsLookup = std::function<std::optional<PathInfo>(const std::string& path)>;

/// A COPY/ADD after expansion, ready to write its files into a tree.
struct CopyPlan {
  std::vector<std::string> sources; ///< as written (context- or root-relative, may be globs)
  std::vector<std::pair<std::string, std::string>> inline_files; ///< heredoc name, body
  std::string dest;         ///< absolute, resolved against WORKDIR
  bool dest_is_dir = false; ///< written with a trailing '/'
  std::optional<uid_t> uid; ///< --chown, resolved
  std::optional<gid_t> gid;
  std::optional<ChmodSpec> chmod;    ///< --chmod
  std::vector<std::string> excludes; ///< --exclude patterns (relative to each source)
  bool parents = false;              ///< --parents: keep the source's path below `/./` or the root
  bool link = false;                 ///< --link: the layer does not look at the image below it
  bool add = false;                  ///< ADD: local archives are extracted
  std::optional<bool> unpack;        ///< ADD --unpack (default: local yes, URLs no)
  std::optional<core::Digest> checksum; ///< ADD --checksum of the one URL source
  std::vector<RemoteFile> remote_files; ///< ADD's URL sources, downloaded
};

/// Where COPY reads from: the build context (with .dockerignore) or a
/// directory holding another stage's or image's file system.
struct CopySource {
  BuildContext* context = nullptr; ///< set: read from the context
  std::filesystem::path root;      ///< otherwise: read below this directory
};

/// The selected sources: each matched path, for cache keys and messages.
/// Throws InputError when a source matches nothing (naming it, and saying
/// when .dockerignore excluded it).
std::vector<std::string> select_sources(const CopyPlan& plan, const CopySource& from);

/// The context paths a COPY of `selected` reads (each selected path and
/// what lies below it, minus --exclude matches), for the cache key.
std::vector<std::string> copied_context_paths(const CopyPlan& plan, const BuildContext& context,
                                              const std::vector<std::string>& selected);

/// A file the same COPY wrote last time that may stand in for a new copy:
/// called with the source file, its lstat, and the path the copy would
/// take below `tree` (e.g. "app/x"); links that earlier file at `dst` and
/// returns true when it holds exactly what the copy would write.
using ReuseFile = std::function<bool(const std::filesystem::path& src, const struct stat& st,
                                     const std::string& tree_rel, const std::filesystem::path& dst,
                                     mode_t mode, uid_t uid, gid_t gid)>;

/// Writes the files `plan` copies into `tree` (as paths of the image, so the
/// destination `/app/x` becomes `tree/app/x`). Parent directories that exist
/// in the image keep their metadata from `lookup`; new ones are 0755.
/// `reuse` (optional) may link a regular file instead of copying it.
void write_copy_tree(const CopyPlan& plan, const CopySource& from,
                     const std::vector<std::string>& selected, const RootfsLookup& lookup,
                     const std::filesystem::path& tree, const ReuseFile& reuse = {});

} // namespace builder
