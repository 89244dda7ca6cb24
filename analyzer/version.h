#pragma once

#include <string_view>

namespace analyzer {

/// The version printed by `cscan --version`.
std::string_view version();

} // namespace analyzer
