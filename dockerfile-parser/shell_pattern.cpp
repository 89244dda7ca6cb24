#include "dockerfile-parser/shell_pattern.h"

#include "dockerfile-parser/unicode.h"

#include <algorithm>
#include <vector>

namespace dockerfile::shell_pattern {

namespace {

using Kind = Token::Kind;

/// A string decoded to code points, remembering where each starts so results
/// can be cut from the original bytes.
struct Runes {
  std::vector<char32_t> runes;
  std::vector<size_t> offsets; ///< offsets[i] = byte offset of runes[i]; one extra at the end
};

Runes decode(std::string_view text) {
  Runes out;
  size_t pos = 0;
  while (pos < text.size()) {
    DecodedRune d = decode_rune(text, pos);
    out.runes.push_back(d.rune);
    out.offsets.push_back(pos);
    pos += d.width;
  }
  out.offsets.push_back(text.size());
  return out;
}

/// Backtracking matcher with a memo of (token, position) states that are known
/// to fail, so hostile patterns stay polynomial.
class Matcher {
public:
  Matcher(const std::vector<Token>& tokens, const std::vector<char32_t>& text, bool greedy)
      : m_tokens(tokens), m_text(text), m_greedy(greedy),
        m_failed((tokens.size() + 1) * (text.size() + 1), false) {}

  /// End index of the first match starting at `start` in backtracking order.
  std::optional<size_t> match_at(size_t start) { return match(0, start); }

private:
  std::optional<size_t> match(size_t ti, size_t vi) {
    if (ti == m_tokens.size()) {
      return vi;
    }
    const size_t key = ti * (m_text.size() + 1) + vi;
    if (m_failed[key]) {
      return std::nullopt;
    }
    std::optional<size_t> result = step(ti, vi);
    if (!result) {
      m_failed[key] = true;
    }
    return result;
  }

  std::optional<size_t> step(size_t ti, size_t vi) {
    const Token& t = m_tokens[ti];
    if (t.kind != Kind::any_run) {
      if (vi >= m_text.size()) {
        return std::nullopt;
      }
      const char32_t c = m_text[vi];
      const bool ok = t.kind == Kind::any_char ? c != '\n' : c == t.rune;
      return ok ? match(ti + 1, vi + 1) : std::nullopt;
    }
    // A star covers runes up to the next newline (Go's '.' excludes '\n').
    size_t limit = vi;
    while (limit < m_text.size() && m_text[limit] != '\n') {
      ++limit;
    }
    if (m_greedy) {
      for (size_t end = limit + 1; end-- > vi;) {
        if (auto r = match(ti + 1, end)) {
          return r;
        }
      }
      return std::nullopt;
    }
    for (size_t end = vi; end <= limit; ++end) {
      if (auto r = match(ti + 1, end)) {
        return r;
      }
    }
    return std::nullopt;
  }

  const std::vector<Token>& m_tokens;
  const std::vector<char32_t>& m_text;
  bool m_greedy;
  std::vector<bool> m_failed;
};

std::string encode(const std::vector<char32_t>& runes, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i) {
    append_utf8(out, runes[i]);
  }
  return out;
}

/// Go's regexp template expansion with no capture groups: only group 0 exists.
std::string expand_template(std::string_view tmpl, std::string_view match) {
  std::string out;
  size_t pos = 0;
  while (pos < tmpl.size()) {
    size_t dollar = tmpl.find('$', pos);
    if (dollar == std::string_view::npos) {
      out.append(tmpl.substr(pos));
      break;
    }
    out.append(tmpl.substr(pos, dollar - pos));
    pos = dollar + 1;
    if (pos < tmpl.size() && tmpl[pos] == '$') {
      out += '$';
      ++pos;
      continue;
    }
    const bool brace = pos < tmpl.size() && tmpl[pos] == '{';
    size_t name_start = brace ? pos + 1 : pos;
    size_t i = name_start;
    while (i < tmpl.size()) {
      DecodedRune d = decode_rune(tmpl, i);
      if (!(is_letter(d.rune) || is_digit(d.rune) || d.rune == '_') || !d.valid) {
        break;
      }
      i += d.width;
    }
    std::string_view name = tmpl.substr(name_start, i - name_start);
    if (name.empty() || (brace && (i >= tmpl.size() || tmpl[i] != '}'))) {
      out += '$'; // malformed: the '$' is literal text
      continue;
    }
    pos = brace ? i + 1 : i;
    if (name == "0") {
      out.append(match);
    }
  }
  return out;
}

} // namespace

std::optional<std::vector<Token>> compile(std::string_view pattern, std::string& error) {
  Runes p = decode(pattern);
  std::vector<Token> tokens;
  const auto& r = p.runes;
  for (size_t i = 0; i < r.size(); ++i) {
    char32_t c = r[i];
    if (c == '*') {
      tokens.push_back({Kind::any_run, 0});
      continue;
    }
    if (c == '?') {
      tokens.push_back({Kind::any_char, 0});
      continue;
    }
    if (c == '\\') {
      if (i + 1 < r.size() && (r[i + 1] == '}' || r[i + 1] == '/')) {
        continue; // the escape of } and / inside ${} is not part of the pattern
      }
      if (i + 1 >= r.size() || (r[i + 1] != '*' && r[i + 1] != '?' && r[i + 1] != '\\')) {
        error = "invalid escape in pattern";
        return std::nullopt;
      }
      c = r[++i];
    }
    tokens.push_back({Kind::literal, c});
  }
  return tokens;
}

std::string trim_prefix(const std::vector<Token>& pattern, std::string_view value, bool greedy) {
  Runes v = decode(value);
  Matcher m(pattern, v.runes, greedy);
  if (auto end = m.match_at(0)) {
    return std::string(value.substr(v.offsets[*end]));
  }
  return std::string(value);
}

std::string trim_suffix(const std::vector<Token>& pattern, std::string_view value, bool greedy) {
  // Matching the shortest rightmost run is a leftmost match on the reversed
  // text with the reversed pattern.
  Runes v = decode(value);
  std::vector<char32_t> reversed(v.runes.rbegin(), v.runes.rend());
  std::vector<Token> reversed_pattern(pattern.rbegin(), pattern.rend());
  Matcher m(reversed_pattern, reversed, greedy);
  if (auto end = m.match_at(0)) {
    return encode(v.runes, 0, v.runes.size() - *end);
  }
  return encode(v.runes, 0, v.runes.size());
}

std::string replace_first(const std::vector<Token>& pattern, std::string_view value,
                          std::string_view replacement) {
  Runes v = decode(value);
  Matcher m(pattern, v.runes, true);
  for (size_t start = 0; start <= v.runes.size(); ++start) {
    if (auto end = m.match_at(start)) {
      std::string out(value.substr(0, v.offsets[start]));
      out.append(replacement);
      out.append(value.substr(v.offsets[*end]));
      return out;
    }
  }
  return std::string(value);
}

std::string replace_all(const std::vector<Token>& pattern, std::string_view value,
                        std::string_view replacement) {
  Runes v = decode(value);
  Matcher m(pattern, v.runes, true);
  const size_t n = v.runes.size();
  std::string out;
  size_t last_end = 0; // rune index
  size_t search = 0;
  while (search <= n) {
    std::optional<size_t> begin;
    std::optional<size_t> end;
    for (size_t s = search; s <= n && !begin; ++s) {
      if ((end = m.match_at(s))) {
        begin = s;
      }
    }
    if (!begin) {
      break;
    }
    out.append(value.substr(v.offsets[last_end], v.offsets[*begin] - v.offsets[last_end]));
    // No replacement for an empty match right after the previous match.
    if (*end > last_end || *begin == 0) {
      out += expand_template(replacement,
                             value.substr(v.offsets[*begin], v.offsets[*end] - v.offsets[*begin]));
    }
    last_end = *end;
    search = std::max(search + 1, *end);
  }
  out.append(value.substr(v.offsets[last_end]));
  return out;
}

} // namespace dockerfile::shell_pattern
