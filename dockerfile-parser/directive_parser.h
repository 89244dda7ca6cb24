#pragma once

#include "dockerfile-parser/ast.h"

#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace dockerfile::detail {

/// Recognises parser directives (`# syntax=`, `# escape=`, `# check=`) at the
/// top of a file. Stops for good at the first line that is not one.
class DirectiveParser {
public:
  /// Feeds the next line (line ending removed). Returns the directive it holds,
  /// or nullopt. A repeated directive sets `error`.
  std::optional<Directive> parse_line(std::string_view line, int line_number, std::string& error);

  bool is_done() const { return m_done; }

private:
  bool m_done = false;
  std::set<std::string> m_seen;
};

} // namespace dockerfile::detail
