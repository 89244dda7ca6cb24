#pragma once

#include <string_view>

namespace builder {

/// The version printed by `cbuild --version`.
std::string_view version();

} // namespace builder
