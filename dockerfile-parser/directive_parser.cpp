#include "dockerfile-parser/directive_parser.h"

#include "dockerfile-parser/unicode.h"

namespace dockerfile::detail {

namespace {

/// Go regexp's \s: [\t\n\f\r ].
bool is_re_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_alnum(char c) {
  return is_alpha(c) || (c >= '0' && c <= '9');
}

/// Matches `NAME \s* = \s* VALUE \s*` (BuildKit's directive regexp). The
/// value is lazy: when only white space follows '=', it is the last white
/// space character, as the backtracking regexp finds it.
bool match_directive(std::string_view s, std::string& name, std::string& value) {
  size_t pos = 0;
  if (s.empty() || !is_alpha(s[0])) {
    return false;
  }
  while (pos < s.size() && is_alnum(s[pos])) {
    ++pos;
  }
  name = std::string(s.substr(0, pos));
  while (pos < s.size() && is_re_space(s[pos])) {
    ++pos;
  }
  if (pos >= s.size() || s[pos] != '=') {
    return false;
  }
  ++pos;
  const size_t ws_start = pos;
  while (pos < s.size() && is_re_space(s[pos])) {
    ++pos;
  }
  std::string_view rest = s.substr(pos);
  if (rest.empty()) {
    if (pos == ws_start) {
      return false;
    }
    value = std::string(1, s[pos - 1]);
    return true;
  }
  size_t end = rest.size();
  while (end > 0 && is_re_space(rest[end - 1])) {
    --end;
  }
  value = std::string(rest.substr(0, end));
  return true;
}

std::string ascii_lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return s;
}

} // namespace

std::optional<Directive> DirectiveParser::parse_line(std::string_view line, int line_number,
                                                     std::string& error) {
  if (m_done) {
    return std::nullopt;
  }
  if (line.empty() || line[0] != '#') {
    m_done = true;
    return std::nullopt;
  }
  std::string name;
  std::string value;
  if (!match_directive(trim_left_space(line.substr(1)), name, value)) {
    m_done = true;
    return std::nullopt;
  }
  name = ascii_lower(name);
  if (name != "syntax" && name != "escape" && name != "check") {
    m_done = true;
    return std::nullopt;
  }
  if (!m_seen.insert(name).second) {
    error = "only one " + name + " parser directive can be used";
    return std::nullopt;
  }
  return Directive{name, value, line_number};
}

} // namespace dockerfile::detail
