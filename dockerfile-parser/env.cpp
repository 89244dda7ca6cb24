#include "dockerfile-parser/env.h"

#include <algorithm>

namespace dockerfile {

std::optional<std::string_view> Env::get(std::string_view name) const {
  for (const auto& [key, value] : entries) {
    if (key == name) {
      return std::string_view(value);
    }
  }
  return std::nullopt;
}

void Env::set(std::string_view name, std::string_view value) {
  for (auto& [key, old] : entries) {
    if (key == name) {
      old = value;
      return;
    }
  }
  entries.emplace_back(std::string(name), std::string(value));
}

void Env::erase(std::string_view name) {
  std::erase_if(entries, [name](const auto& entry) { return entry.first == name; });
}

std::vector<std::string> Env::to_strings() const {
  std::vector<std::string> out;
  out.reserve(entries.size());
  for (const auto& [key, value] : entries) {
    out.push_back(key + "=" + value);
  }
  return out;
}

} // namespace dockerfile
