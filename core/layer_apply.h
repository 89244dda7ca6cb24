#pragma once

#include "core/stream.h"
#include "core/tar_reader.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace core {

enum class Ownership {
  preserve, ///< chown entries to their uid/gid (needs root or a user namespace)
  ignore,   ///< leave files owned by the caller
};

enum class Whiteouts {
  apply,   ///< OCI semantics: ".wh.X" deletes X (a layer)
  literal, ///< ".wh." entries are files like any other (a user's archive)
};

/// An owner that replaces every entry's (ADD --chown of an archive).
struct OwnerOverride {
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
};

struct ApplyOptions {
  /// nullopt: preserve when running as root, else ignore.
  std::optional<Ownership> ownership;
  TarReaderOptions reader;
  Whiteouts whiteouts = Whiteouts::apply;
  /// When set (and owners are preserved), entries get this owner instead of the tar's.
  std::optional<OwnerOverride> owner;
};

struct ApplyResult {
  std::uint64_t entries = 0;   ///< entries created or updated
  std::uint64_t whiteouts = 0; ///< whiteouts and opaque whiteouts applied
  /// Things not done, one sentence each (an xattr the filesystem refused, a
  /// device node without permission).
  std::vector<std::string> notes;
};

/// Applies a layer (plain, gzip or zstd tar, read from `layer`) onto the
/// directory `root` with OCI semantics: a whiteout ".wh.X" removes X as lower
/// layers left it, an opaque whiteout empties a directory of what lower
/// layers put there (this layer's own entries stay, wherever they appear in
/// the tar), an entry over an existing path replaces it (two directories
/// merge). Creates files, directories, symlinks, hardlinks, devices and FIFOs
/// with mode, owner, mtime and xattrs; directory modes and mtimes are set last.
///
/// Every path is resolved inside `root` (core::open_dir_in_root): `..`
/// escapes, symlinks in the parent chain that climb out and hardlinks to
/// outside are refused with InputError
/// "<name>: entry 'etc/../../x': path escapes root". `name` names the layer
/// in messages ("layer sha256:…").
ApplyResult apply_layer(InputStream& layer, const std::filesystem::path& root,
                        const std::string& name, const ApplyOptions& options = {});

} // namespace core
