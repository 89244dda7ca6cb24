#include "core/time_util.h"

#include <cstdio>
#include <ctime>

namespace core {

std::string format_rfc3339(std::int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::optional<std::int64_t> parse_rfc3339(std::string_view text) {
  std::tm tm{};
  std::string s(text);
  const char* rest = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == nullptr) {
    return std::nullopt;
  }
  if (*rest == '.') {
    ++rest;
    while (*rest >= '0' && *rest <= '9') {
      ++rest;
    }
  }
  std::int64_t offset = 0;
  if (*rest == '+' || *rest == '-') {
    int hours = 0;
    int minutes = 0;
    if (std::sscanf(rest + 1, "%2d:%2d", &hours, &minutes) != 2) {
      return std::nullopt;
    }
    offset = (hours * 3600 + minutes * 60) * (*rest == '+' ? 1 : -1);
  } else if (*rest != 'Z' && *rest != 'z') {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(timegm(&tm)) - offset;
}

std::string human_age(std::optional<std::int64_t> then, std::int64_t now) {
  if (!then || *then <= 0) {
    return "N/A";
  }
  std::int64_t d = now - *then;
  auto plural = [](std::int64_t n, const char* unit) {
    return std::to_string(n) + " " + unit + (n == 1 ? "" : "s") + " ago";
  };
  if (d < 60) {
    return d < 2 ? "Less than a second ago" : plural(d, "second");
  }
  if (d < 3600) {
    return plural(d / 60, "minute");
  }
  if (d < 86400 * 2) {
    return plural(d / 3600, "hour");
  }
  if (d < 86400 * 14) {
    return plural(d / 86400, "day");
  }
  if (d < 86400 * 60) {
    return plural(d / (86400 * 7), "week");
  }
  if (d < 86400 * 365 * 2) {
    return plural(d / (86400 * 30), "month");
  }
  return plural(d / (86400 * 365), "year");
}

std::string human_size(std::uint64_t bytes) {
  static const char* k_units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1000.0 && unit + 1 < sizeof k_units / sizeof k_units[0]) {
    value /= 1000.0;
    ++unit;
  }
  char buffer[32];
  if (unit == 0) {
    std::snprintf(buffer, sizeof buffer, "%lluB", static_cast<unsigned long long>(bytes));
  } else {
    std::snprintf(buffer, sizeof buffer, "%.3g%s", value, k_units[unit]);
  }
  return buffer;
}

} // namespace core
