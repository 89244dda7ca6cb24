#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace core {

/// "2024-01-02T03:04:05Z" for seconds since the epoch (UTC).
std::string format_rfc3339(std::int64_t seconds);

/// Seconds since the epoch for an RFC 3339 time ("…Z" or "…+01:00",
/// fractional seconds ignored); nullopt when it does not parse.
std::optional<std::int64_t> parse_rfc3339(std::string_view text);

/// "3 minutes ago", "2 days ago", as docker prints ages; "N/A" when unknown.
std::string human_age(std::optional<std::int64_t> then, std::int64_t now);

/// "1.5MB", "824kB", "12B" with docker's decimal units.
std::string human_size(std::uint64_t bytes);

} // namespace core
