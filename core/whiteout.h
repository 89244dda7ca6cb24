#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace core {

/// OCI whiteouts (image-spec layer.md): an empty file ".wh.<name>" deletes
/// <name> from lower layers; ".wh..wh..opq" in a directory hides everything
/// lower layers put in it. All functions take normalised layer paths
/// (core::normalize_layer_path) and are pure.

inline constexpr std::string_view k_whiteout_prefix = ".wh.";
inline constexpr std::string_view k_opaque_whiteout_name = ".wh..wh..opq";

/// True for "dir/.wh.<name>" including the opaque marker and AUFS
/// metadata (".wh..wh.*"): no such entry is ever materialised.
bool is_whiteout(std::string_view path);

/// True for "dir/.wh..wh..opq".
bool is_opaque_whiteout(std::string_view path);

/// The path a plain whiteout deletes: "a/.wh.b" -> "a/b". nullopt for the
/// opaque marker, AUFS metadata, a bare ".wh." and non-whiteouts.
std::optional<std::string> whiteout_target(std::string_view path);

/// The directory an opaque whiteout clears: "a/b/.wh..wh..opq" -> "a/b",
/// ".wh..wh..opq" -> ".". nullopt if `path` is not an opaque whiteout.
std::optional<std::string> opaque_whiteout_dir(std::string_view path);

/// The whiteout entry that deletes `path`: "a/b" -> "a/.wh.b".
std::string whiteout_path_for(std::string_view path);

/// The opaque whiteout entry for directory `dir`: "a" -> "a/.wh..wh..opq".
std::string opaque_whiteout_path_for(std::string_view dir);

} // namespace core
