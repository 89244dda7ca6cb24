// Value parsers BuildKit borrows from Go libraries: time.ParseDuration for
// HEALTHCHECK intervals, and go-units' RAMInBytes for tmpfs mount sizes.
#include "dockerfile-parser/units.h"

#include <cmath>
#include <limits>
#include <string>

namespace dockerfile {

namespace {

/// Reads "123.45" at `pos`; false when there is no digit at all.
bool read_number(std::string_view s, size_t& pos, double& out) {
  const size_t start = pos;
  double value = 0;
  bool any = false;
  while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
    value = value * 10 + (s[pos++] - '0');
    any = true;
  }
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    double scale = 0.1;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      value += (s[pos++] - '0') * scale;
      scale /= 10;
      any = true;
    }
  }
  out = value;
  return any && pos > start;
}

} // namespace

std::optional<int64_t> parse_duration(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") {
    return 0;
  }
  if (s.empty()) {
    return std::nullopt;
  }
  struct Unit {
    std::string_view name;
    double ns;
  };
  static const Unit k_units[] = {{"ns", 1},   {"us", 1e3}, {"\xC2\xB5s", 1e3}, {"\xCE\xBCs", 1e3},
                                 {"ms", 1e6}, {"s", 1e9},  {"m", 60e9},        {"h", 3600e9}};
  double total = 0;
  size_t pos = 0;
  while (pos < s.size()) {
    double number = 0;
    if (!read_number(s, pos, number)) {
      return std::nullopt;
    }
    size_t unit_start = pos;
    while (pos < s.size() && !(s[pos] >= '0' && s[pos] <= '9') && s[pos] != '.') {
      ++pos;
    }
    std::string_view unit = s.substr(unit_start, pos - unit_start);
    const Unit* found = nullptr;
    for (const Unit& u : k_units) {
      if (u.name == unit) {
        found = &u;
      }
    }
    if (!found) {
      return std::nullopt; // a missing or unknown unit
    }
    total += number * found->ns;
    if (total > static_cast<double>(std::numeric_limits<int64_t>::max())) {
      return std::nullopt;
    }
  }
  const auto ns = static_cast<int64_t>(std::llround(total));
  return negative ? -ns : ns;
}

std::optional<int64_t> parse_ram_bytes(std::string_view s) {
  size_t pos = 0;
  double number = 0;
  if (!read_number(s, pos, number)) {
    return std::nullopt;
  }
  std::string unit;
  for (char c : s.substr(pos)) {
    unit += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  if (unit.size() > 1 && unit.back() == 'b') {
    unit.pop_back();
    if (unit.size() > 1 && unit.back() == 'i') {
      unit.pop_back();
    }
  }
  double multiplier = 1;
  if (unit.empty() || unit == "b") {
    multiplier = 1;
  } else if (unit.size() == 1 &&
             std::string_view("kmgtp").find(unit[0]) != std::string_view::npos) {
    multiplier = std::pow(1024.0, static_cast<double>(std::string_view("kmgtp").find(unit[0]) + 1));
  } else {
    return std::nullopt;
  }
  const double bytes = number * multiplier;
  if (bytes > static_cast<double>(std::numeric_limits<int64_t>::max())) {
    return std::nullopt;
  }
  return static_cast<int64_t>(bytes);
}

} // namespace dockerfile
