#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace dockerfile {

/// Go's time.ParseDuration: "300ms", "1.5h", "2h45m" to nanoseconds; nullopt
/// when malformed. Declared in instructions.h as well.
std::optional<int64_t> parse_duration(std::string_view text);

/// go-units' RAMInBytes: "64m", "1GiB", "1024" to bytes (binary multiples).
std::optional<int64_t> parse_ram_bytes(std::string_view text);

} // namespace dockerfile
