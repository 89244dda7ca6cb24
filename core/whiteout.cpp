#include "core/whiteout.h"

#include "core/path_util.h"

namespace core {

namespace {
constexpr std::string_view k_meta_prefix = ".wh..wh.";
}

bool is_whiteout(std::string_view path) {
  return base_name(path).starts_with(k_whiteout_prefix);
}

bool is_opaque_whiteout(std::string_view path) {
  return base_name(path) == k_opaque_whiteout_name;
}

std::optional<std::string> whiteout_target(std::string_view path) {
  std::string_view base = base_name(path);
  if (!base.starts_with(k_whiteout_prefix) || base.starts_with(k_meta_prefix)) {
    return std::nullopt;
  }
  std::string_view name = base.substr(k_whiteout_prefix.size());
  if (name.empty() || name == "." || name == "..") {
    return std::nullopt;
  }
  return join_layer_path(parent_path(path), name);
}

std::optional<std::string> opaque_whiteout_dir(std::string_view path) {
  if (!is_opaque_whiteout(path)) {
    return std::nullopt;
  }
  return std::string(parent_path(path));
}

std::string whiteout_path_for(std::string_view path) {
  std::string name(k_whiteout_prefix);
  name += base_name(path);
  return join_layer_path(parent_path(path), name);
}

std::string opaque_whiteout_path_for(std::string_view dir) {
  return join_layer_path(dir, k_opaque_whiteout_name);
}

} // namespace core
