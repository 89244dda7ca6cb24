#include "dockerfile-parser/dockerignore.h"

#include "dockerfile-parser/unicode.h"

#include <system_error>

namespace dockerfile {

namespace {

using Token = IgnorePattern::Token;
using Kind = Token::Kind;

/// `[...]` starting at `pos` (just after '['). Returns false if unterminated;
/// the caller then treats '[' literally.
bool compile_class(std::string_view p, size_t& pos, Token& token) {
  token.kind = Kind::char_class;
  size_t i = pos;
  if (i < p.size() && p[i] == '^') {
    token.negated = true;
    ++i;
  }
  bool first = true;
  while (i < p.size() && (p[i] != ']' || first)) {
    first = false;
    char lo = p[i];
    if (lo == '\\' && i + 1 < p.size()) {
      lo = p[++i];
    }
    char hi = lo;
    if (i + 2 < p.size() && p[i + 1] == '-' && p[i + 2] != ']') {
      hi = p[i + 2];
      if (hi == '\\' && i + 3 < p.size()) {
        hi = p[i + 3];
        ++i;
      }
      i += 2;
    }
    token.ranges.emplace_back(lo, hi);
    ++i;
  }
  if (i >= p.size()) {
    return false;
  }
  pos = i + 1;
  return true;
}

std::vector<Token> compile(std::string_view p) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < p.size()) {
    const char c = p[i++];
    Token t;
    if (c == '*') {
      if (i < p.size() && p[i] == '*') {
        ++i;
        if (i < p.size() && p[i] == '/') {
          ++i;
        }
        t.kind = i >= p.size() ? Kind::any_rest : Kind::any_dirs;
      } else {
        t.kind = Kind::any_run;
      }
    } else if (c == '?') {
      t.kind = Kind::any_char;
    } else if (c == '\\' && i < p.size()) {
      t.byte = p[i++];
    } else if (c == '[') {
      size_t pos = i;
      if (compile_class(p, pos, t)) {
        i = pos;
      } else {
        t = Token{};
        t.byte = c;
      }
    } else {
      t.byte = c;
    }
    tokens.push_back(std::move(t));
  }
  return tokens;
}

bool class_matches(const Token& t, char c) {
  bool in = false;
  for (auto [lo, hi] : t.ranges) {
    in = in || (static_cast<unsigned char>(c) >= static_cast<unsigned char>(lo) &&
                static_cast<unsigned char>(c) <= static_cast<unsigned char>(hi));
  }
  return in != t.negated;
}

/// Whole-string match with memoised backtracking.
class Matcher {
public:
  Matcher(const std::vector<Token>& tokens, std::string_view text)
      : m_tokens(tokens), m_text(text), m_failed((tokens.size() + 1) * (text.size() + 1)) {}

  bool match(size_t ti, size_t si) {
    if (ti == m_tokens.size()) {
      return si == m_text.size();
    }
    const size_t key = ti * (m_text.size() + 1) + si;
    if (m_failed[key]) {
      return false;
    }
    const bool ok = step(ti, si);
    if (!ok) {
      m_failed[key] = true;
    }
    return ok;
  }

private:
  bool step(size_t ti, size_t si) {
    const Token& t = m_tokens[ti];
    const size_t n = m_text.size();
    switch (t.kind) {
    case Kind::literal: return si < n && m_text[si] == t.byte && match(ti + 1, si + 1);
    case Kind::any_char:
      // One character (a whole UTF-8 sequence) other than '/'.
      if (si >= n || m_text[si] == '/') {
        return false;
      }
      return match(ti + 1, si + decode_rune(m_text, si).width);
    case Kind::char_class: return si < n && class_matches(t, m_text[si]) && match(ti + 1, si + 1);
    case Kind::any_run:
      for (size_t e = si;; ++e) {
        if (match(ti + 1, e)) {
          return true;
        }
        if (e >= n || m_text[e] == '/') {
          return false;
        }
      }
    case Kind::any_dirs:
      // `(.*/)?`: nothing, or any text ending in '/'.
      if (match(ti + 1, si)) {
        return true;
      }
      for (size_t e = si; e < n; ++e) {
        if (m_text[e] == '/' && match(ti + 1, e + 1)) {
          return true;
        }
      }
      return false;
    case Kind::any_rest: return true;
    }
    return false;
  }

  const std::vector<Token>& m_tokens;
  std::string_view m_text;
  std::vector<bool> m_failed;
};

bool pattern_matches(const IgnorePattern& p, std::string_view path) {
  if (p.suffix) {
    const std::string& sfx = *p.suffix;
    const bool ends = path.size() >= sfx.size() && path.substr(path.size() - sfx.size()) == sfx;
    return ends || (!sfx.empty() && sfx[0] == '/' && path == std::string_view(sfx).substr(1));
  }
  return Matcher(p.tokens, path).match(0, 0);
}

} // namespace

std::string clean_path(std::string_view path) {
  if (path.empty()) {
    return ".";
  }
  const bool rooted = path[0] == '/';
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    std::string_view part =
        path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    if (part.empty() || part == ".") {
      // skip
    } else if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!rooted) {
        parts.push_back(part);
      }
    } else {
      parts.push_back(part);
    }
    if (slash == std::string_view::npos) {
      break;
    }
    pos = slash + 1;
  }
  std::string out = rooted ? "/" : "";
  for (size_t i = 0; i < parts.size(); ++i) {
    out += (i ? "/" : "");
    out += parts[i];
  }
  return out.empty() ? "." : out;
}

DockerIgnore DockerIgnore::parse(std::string_view text, std::string& error) {
  DockerIgnore out;
  size_t pos = 0;
  bool first = true;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    if (first && line.substr(0, 3) == "\xEF\xBB\xBF") {
      line.remove_prefix(3);
    }
    first = false;
    if (!line.empty() && line[0] == '#') {
      continue; // comments only when '#' is the very first character
    }
    line = trim_space(line);
    if (line.empty()) {
      continue;
    }
    IgnorePattern p;
    if (line[0] == '!') {
      p.exclusion = true;
      line = trim_space(line.substr(1));
      if (line.empty()) {
        error = "illegal exclusion pattern: \"!\"";
        return out;
      }
    }
    std::string cleaned = clean_path(line);
    if (cleaned.size() > 1 && cleaned[0] == '/') {
      cleaned.erase(0, 1);
    }
    p.text = cleaned;
    p.tokens = compile(cleaned);
    if (cleaned.rfind("**", 0) == 0 && cleaned.find_first_of("*?[]\\", 2) == std::string::npos) {
      p.suffix = cleaned.substr(2);
    }
    out.m_patterns.push_back(std::move(p));
  }
  return out;
}

bool DockerIgnore::is_excluded(std::string_view path) const {
  const std::string file = clean_path(path);
  // The parent directories: "a", "a/b" for "a/b/c".
  std::vector<std::string_view> parents;
  for (size_t slash = file.find('/'); slash != std::string::npos;
       slash = file.find('/', slash + 1)) {
    if (slash > 0) {
      parents.push_back(std::string_view(file).substr(0, slash));
    }
  }
  bool matched = false;
  for (const IgnorePattern& p : m_patterns) {
    // An exclusion can only undo a match; an inclusion only adds one.
    if (p.exclusion != matched) {
      continue;
    }
    bool match = pattern_matches(p, file);
    for (size_t i = 0; !match && i < parents.size(); ++i) {
      match = pattern_matches(p, parents[i]);
    }
    if (match) {
      matched = !p.exclusion;
    }
  }
  return matched;
}

std::vector<std::string> DockerIgnore::patterns() const {
  std::vector<std::string> out;
  for (const IgnorePattern& p : m_patterns) {
    out.push_back((p.exclusion ? "!" : "") + p.text);
  }
  return out;
}

std::optional<std::filesystem::path> find_dockerignore(const std::filesystem::path& context_dir,
                                                       const std::filesystem::path& dockerfile) {
  std::error_code ec;
  std::filesystem::path specific = dockerfile;
  specific += ".dockerignore";
  if (std::filesystem::is_regular_file(specific, ec)) {
    return specific;
  }
  std::filesystem::path common = context_dir / ".dockerignore";
  if (std::filesystem::is_regular_file(common, ec)) {
    return common;
  }
  return std::nullopt;
}

} // namespace dockerfile
