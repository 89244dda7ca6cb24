#include "builder/version.h"

namespace builder {

std::string_view version() { return "0.1.0"; }

} // namespace builder
