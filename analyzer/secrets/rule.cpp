#include "analyzer/secrets/rule.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace secrets {

namespace {
constexpr std::array<std::string_view, 5> k_severity_names = {"info", "low", "medium", "high",
                                                              "critical"};
}

std::string_view severity_name(Severity severity) {
  return k_severity_names[static_cast<size_t>(severity)];
}

std::optional<Severity> parse_severity(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (size_t i = 0; i < k_severity_names.size(); ++i) {
    if (lower == k_severity_names[i]) {
      return static_cast<Severity>(i);
    }
  }
  return std::nullopt;
}

} // namespace secrets
