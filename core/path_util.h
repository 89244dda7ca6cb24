#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace core {

/// Normalises a path found in a layer tar to the clean relative form layers
/// use ("usr/bin/env"): drops leading "/" and "./", empty and "." components
/// and a trailing "/", and folds "a/../b" lexically. The root itself is ".".
/// Returns nullopt when ".." climbs above the root ("etc/../../x").
std::optional<std::string> normalize_layer_path(std::string_view path);

/// The directory part of a normalised path: "a/b/c" -> "a/b", "a" -> ".".
std::string_view parent_path(std::string_view path);

/// The last component of a normalised path: "a/b/c" -> "c".
std::string_view base_name(std::string_view path);

/// Joins a normalised directory and a name: ("." , "x") -> "x", ("a", "x") -> "a/x".
std::string join_layer_path(std::string_view dir, std::string_view name);

} // namespace core
