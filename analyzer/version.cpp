#include "analyzer/version.h"

namespace analyzer {

std::string_view version() {
  return "0.1.0";
}

} // namespace analyzer
