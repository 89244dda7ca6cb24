#include "dockerfile-parser/line_parsers.h"

#include "dockerfile-parser/json_array.h"
#include "dockerfile-parser/unicode.h"

namespace dockerfile::detail {

namespace {

/// BuildKit's reWhitespace: `[\t\v\f\r ]`.
bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

/// unicode.IsSpace applied to a single byte taken as a Latin-1 code point.
bool is_space_byte(char c) {
  return is_space(static_cast<unsigned char>(c));
}

/// Splits at runs of blanks, like regexp.Split(s, -1) on `[\t\v\f\r ]+`.
std::vector<std::string> split_blanks(std::string_view s, size_t max_parts) {
  std::vector<std::string> out;
  size_t start = 0;
  size_t pos = 0;
  while (pos < s.size() && (max_parts == 0 || out.size() + 1 < max_parts)) {
    if (!is_blank(s[pos])) {
      ++pos;
      continue;
    }
    size_t end = pos;
    while (end < s.size() && is_blank(s[end])) {
      ++end;
    }
    out.emplace_back(s.substr(start, pos - start));
    start = pos = end;
  }
  out.emplace_back(s.substr(start));
  return out;
}

void append_latin1(std::string& out, char c) {
  append_utf8(out, static_cast<unsigned char>(c));
}

/// Reads builder flags from the start of `line`; returns the rest.
std::string_view extract_flags(std::string_view line, char escape,
                               std::vector<std::string>& flags) {
  enum class Phase { spaces, word, quote } phase = Phase::spaces;
  std::string word;
  char quote = 0;
  bool blank_ok = false;
  for (size_t pos = 0; pos <= line.size(); ++pos) {
    const char c = pos < line.size() ? line[pos] : 0;
    if (phase == Phase::spaces) {
      if (pos == line.size()) {
        break;
      }
      if (is_space_byte(c)) {
        continue;
      }
      if (c != '-' || pos + 1 == line.size() || line[pos + 1] != '-') {
        return line.substr(pos);
      }
      phase = Phase::word;
    }
    if (pos == line.size()) {
      if (word != "--" && (blank_ok || !word.empty())) {
        flags.push_back(word);
      }
      break;
    }
    if (phase == Phase::word) {
      if (is_space_byte(c)) {
        phase = Phase::spaces;
        if (word == "--") {
          return line.substr(pos);
        }
        if (blank_ok || !word.empty()) {
          flags.push_back(word);
        }
        word.clear();
        blank_ok = false;
        continue;
      }
      if (c == '\'' || c == '"') {
        quote = c;
        blank_ok = true;
        phase = Phase::quote;
        continue;
      }
      if (c == escape) {
        if (pos + 1 == line.size()) {
          continue; // a trailing escape is dropped
        }
        ++pos;
      }
      append_latin1(word, line[pos]);
      continue;
    }
    // Phase::quote
    if (c == quote) {
      phase = Phase::word;
      continue;
    }
    if (c == escape) {
      if (pos + 1 == line.size()) {
        phase = Phase::word;
        continue;
      }
      ++pos;
    }
    append_latin1(word, line[pos]);
  }
  return {};
}

using ArgParser = std::string (*)(Node&, std::string_view, char);

std::string parse_ignore(Node& node, std::string_view, char) {
  node.args = {""};
  return {};
}

std::string parse_string(Node& node, std::string_view rest, char) {
  if (!rest.empty()) {
    node.args = {std::string(rest)};
  }
  return {};
}

std::string parse_list(Node& node, std::string_view rest, char) {
  if (!rest.empty()) {
    node.args = split_blanks(rest, 0);
  }
  return {};
}

const char* k_not_strings =
    "when using JSON array syntax, arrays must be comprised of strings only";

/// 0 = took the JSON form, 1 = not JSON, 2 = error (non-string element).
int try_json(Node& node, std::string_view rest) {
  JsonArray json = parse_json_array(rest);
  if (json.status == JsonArrayStatus::ok) {
    node.args = std::move(json.items);
    node.json_form = true;
    return 0;
  }
  return json.status == JsonArrayStatus::not_strings ? 2 : 1;
}

std::string parse_json_or_string(Node& node, std::string_view rest, char escape) {
  if (rest.empty()) {
    return {};
  }
  int r = try_json(node, rest);
  if (r == 2) {
    return k_not_strings;
  }
  return r == 0 ? std::string() : parse_string(node, rest, escape);
}

std::string parse_json_or_list(Node& node, std::string_view rest, char escape) {
  int r = try_json(node, rest);
  if (r == 2) {
    return k_not_strings;
  }
  return r == 0 ? std::string() : parse_list(node, rest, escape);
}

std::string parse_name_or_name_val(Node& node, std::string_view rest, char escape) {
  node.args = parse_words(rest, escape);
  return {};
}

std::string parse_name_val(Node& node, std::string_view rest, char escape, const char* key) {
  std::vector<std::string> words = parse_words(rest, escape);
  if (words.empty()) {
    return {};
  }
  if (words[0].find('=') == std::string::npos) {
    std::vector<std::string> parts = split_blanks(rest, 2);
    if (parts.size() < 2) {
      return std::string(key) + " must have two arguments";
    }
    node.args = {parts[0], parts[1], ""};
    return {};
  }
  for (const std::string& word : words) {
    size_t eq = word.find('=');
    if (eq == std::string::npos) {
      return "Syntax error - can't find = in \"" + word + "\". Must be of the form: name=value";
    }
    node.args.push_back(word.substr(0, eq));
    node.args.push_back(word.substr(eq + 1));
    node.args.push_back("=");
  }
  return {};
}

std::string parse_env(Node& node, std::string_view rest, char escape) {
  return parse_name_val(node, rest, escape, "ENV");
}

std::string parse_label(Node& node, std::string_view rest, char escape) {
  return parse_name_val(node, rest, escape, "LABEL");
}

std::string parse_healthcheck(Node& node, std::string_view rest, char escape) {
  size_t sep = 0;
  while (sep < rest.size() && !is_space_byte(rest[sep])) {
    ++sep;
  }
  size_t next = sep;
  while (next < rest.size() && is_space_byte(rest[next])) {
    ++next;
  }
  if (sep == 0) {
    return {};
  }
  Node cmd;
  std::string err = parse_json_or_string(cmd, rest.substr(next), escape);
  if (!err.empty()) {
    return err;
  }
  node.args.push_back(std::string(rest.substr(0, sep)));
  node.args.insert(node.args.end(), cmd.args.begin(), cmd.args.end());
  node.json_form = cmd.json_form;
  return {};
}

std::string parse_onbuild(Node& node, std::string_view rest, char escape) {
  if (rest.empty()) {
    return {};
  }
  Node child;
  std::string err = parse_node(child, rest, escape);
  if (!err.empty()) {
    return err;
  }
  node.sub.push_back(std::move(child));
  return {};
}

ArgParser parser_for(std::string_view keyword) {
  struct Entry {
    std::string_view keyword;
    ArgParser parser;
  };
  static const Entry k_table[] = {
      {"add", parse_json_or_list},
      {"arg", parse_name_or_name_val},
      {"cmd", parse_json_or_string},
      {"copy", parse_json_or_list},
      {"entrypoint", parse_json_or_string},
      {"env", parse_env},
      {"expose", parse_list},
      {"from", parse_list},
      {"healthcheck", parse_healthcheck},
      {"label", parse_label},
      {"maintainer", parse_string},
      {"onbuild", parse_onbuild},
      {"run", parse_json_or_string},
      {"shell", parse_json_or_string},
      {"stopsignal", parse_string},
      {"user", parse_string},
      {"volume", parse_json_or_list},
      {"workdir", parse_string},
  };
  for (const Entry& e : k_table) {
    if (e.keyword == keyword) {
      return e.parser;
    }
  }
  return parse_ignore;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

} // namespace

SplitLine split_line(std::string_view line, char escape) {
  SplitLine out;
  std::string_view trimmed = trim_space(line);
  size_t pos = 0;
  while (pos < trimmed.size() && !is_blank(trimmed[pos])) {
    ++pos;
  }
  out.keyword = std::string(trimmed.substr(0, pos));
  if (pos < trimmed.size()) {
    while (pos < trimmed.size() && is_blank(trimmed[pos])) {
      ++pos;
    }
    out.rest = std::string(trim_space(extract_flags(trimmed.substr(pos), escape, out.flags)));
  }
  return out;
}

std::vector<std::string> parse_words(std::string_view rest, char escape_char) {
  enum class Phase { spaces, word, quote } phase = Phase::spaces;
  const char32_t escape = static_cast<unsigned char>(escape_char);
  std::vector<std::string> words;
  std::string word;
  char32_t quote = 0;
  bool blank_ok = false;
  size_t width = 0;
  char32_t c = 0;
  for (size_t pos = 0; pos <= rest.size(); pos += width) {
    if (pos != rest.size()) {
      DecodedRune d = decode_rune(rest, pos);
      c = d.rune, width = d.width;
    }
    if (phase == Phase::spaces) {
      if (pos == rest.size()) {
        break;
      }
      if (is_space(c)) {
        continue;
      }
      phase = Phase::word;
    }
    if (pos == rest.size()) {
      if (blank_ok || !word.empty()) {
        words.push_back(word);
      }
      break;
    }
    if (phase == Phase::word) {
      if (is_space(c)) {
        phase = Phase::spaces;
        if (blank_ok || !word.empty()) {
          words.push_back(word);
        }
        word.clear();
        blank_ok = false;
        continue;
      }
      if (c == '\'' || c == '"') {
        quote = c;
        blank_ok = true;
        phase = Phase::quote;
      }
      if (c == escape) {
        if (pos + width == rest.size()) {
          continue; // an escape at the very end is dropped
        }
        append_utf8(word, c);
        pos += width;
        DecodedRune d = decode_rune(rest, pos);
        c = d.rune, width = d.width;
      }
      append_utf8(word, c);
      continue;
    }
    // Phase::quote
    if (c == quote) {
      phase = Phase::word;
    }
    if (c == escape && quote != '\'') {
      if (pos + width == rest.size()) {
        phase = Phase::word;
        continue;
      }
      pos += width;
      append_utf8(word, c);
      DecodedRune d = decode_rune(rest, pos);
      c = d.rune, width = d.width;
    }
    append_utf8(word, c);
  }
  return words;
}

std::string parse_arguments(Node& node, std::string_view rest, char escape) {
  return parser_for(node.keyword)(node, rest, escape);
}

std::string parse_node(Node& node, std::string_view line, char escape) {
  SplitLine split = split_line(line, escape);
  node.keyword = ascii_lower(split.keyword);
  node.original = std::string(line);
  node.flags = std::move(split.flags);
  return parse_arguments(node, split.rest, escape);
}

} // namespace dockerfile::detail
