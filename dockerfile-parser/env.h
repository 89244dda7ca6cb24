#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dockerfile {

/// An ordered list of NAME=VALUE pairs, like a process environment or the
/// build args in scope. Names are case-sensitive (Linux). set() replaces an
/// existing name in place, so the order is the order of first definition.
struct Env {
  std::vector<std::pair<std::string, std::string>> entries;

  /// The value of `name`, or nullopt when it is not set (set-but-empty is "").
  std::optional<std::string_view> get(std::string_view name) const;
  /// Defines or replaces `name`.
  void set(std::string_view name, std::string_view value);
  /// True when `name` is set.
  bool has(std::string_view name) const { return get(name).has_value(); }
  /// Removes `name` if present.
  void erase(std::string_view name);
  /// "NAME=VALUE" strings, in order.
  std::vector<std::string> to_strings() const;
};

} // namespace dockerfile
