#pragma once

#include "core/layer_apply.h"

#include <filesystem>
#include <optional>
#include <string>

/// ADD of a local archive: detection by content and safe extraction.
namespace builder {

/// True when `file` is a tar archive ADD extracts: plain or compressed with
/// gzip, bzip2, xz or zstd, told by content, not by name (Docker's rule: the
/// decompressed stream starts with a valid tar header). A compressed file
/// that is not a tar, or an empty tar, is not an archive.
bool is_extractable_archive(const std::filesystem::path& file);

/// Extracts archive `file` into directory `dir` (merging with what is
/// there) the way BuildKit does: entries keep the archive's owner, mode and
/// mtime unless `owner` replaces the owner (ADD --chown); ".wh." names are
/// ordinary files. Every path stays inside `dir`: `..` and symlinks that
/// climb out throw InputError "ADD <name>: entry '<path>': path escapes root".
void extract_archive(const std::filesystem::path& file, const std::filesystem::path& dir,
                     const std::optional<core::OwnerOverride>& owner, const std::string& name);

} // namespace builder
