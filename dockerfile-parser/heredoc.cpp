#include "dockerfile-parser/heredoc.h"

#include "dockerfile-parser/shell_lex.h"

#include <algorithm>

namespace dockerfile {

namespace {

bool is_regex_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

size_t count_quotes(std::string_view s) {
  return static_cast<size_t>(std::count(s.begin(), s.end(), '\'') +
                             std::count(s.begin(), s.end(), '"'));
}

} // namespace

std::optional<Heredoc> parse_heredoc_marker(std::string_view word, std::string& error) {
  // Shape: digits, "<<", optional "-", blanks, then a name without '<'.
  size_t pos = 0;
  while (pos < word.size() && word[pos] >= '0' && word[pos] <= '9') {
    ++pos;
  }
  const std::string_view digits = word.substr(0, pos);
  if (word.substr(pos, 2) != "<<") {
    return std::nullopt;
  }
  pos += 2;
  Heredoc doc;
  if (pos < word.size() && word[pos] == '-') {
    doc.chomp = true;
    ++pos;
  }
  while (pos < word.size() && is_regex_space(word[pos])) {
    ++pos;
  }
  const std::string_view rest = word.substr(pos);
  if (rest.empty() || rest.find('<') != std::string_view::npos) {
    return std::nullopt;
  }
  for (char d : digits) {
    doc.fd = doc.fd * 10 + static_cast<unsigned>(d - '0');
    if (doc.fd > 0xFFFF) {
      doc.fd = 0xFFFF; // far beyond any real descriptor; keep it bounded
    }
  }
  const Env no_env;
  ShellLexOptions options;
  options.keep_unset = true;
  ExpandResult plain = ShellLex(options).expand_words(rest, no_env);
  if (!plain.ok) {
    error = plain.error;
    return std::nullopt;
  }
  if (plain.words.size() != 1) {
    return std::nullopt;
  }
  options.raw_quotes = true;
  ExpandResult raw = ShellLex(options).expand_words(rest, no_env);
  if (!raw.ok || raw.words.size() != 1) {
    error = "internal lexing of heredoc produced inconsistent results: " + std::string(rest);
    return std::nullopt;
  }
  doc.name = plain.words[0];
  doc.expand = count_quotes(plain.words[0]) == count_quotes(raw.words[0]);
  return doc;
}

HeredocMarkers heredoc_markers(std::string_view line) {
  ShellLexOptions options;
  options.raw_quotes = true;
  options.raw_escapes = true;
  options.keep_unset = true;
  HeredocMarkers out;
  ExpandResult words = ShellLex(options).expand_words(line, Env{});
  if (!words.ok) {
    return out;
  }
  for (const std::string& word : words.words) {
    std::string error;
    std::optional<Heredoc> doc = parse_heredoc_marker(word, error);
    if (!error.empty()) {
      out.error = error;
      out.markers.clear();
      return out;
    }
    if (doc) {
      out.markers.push_back(std::move(*doc));
    }
  }
  return out;
}

std::string chomp_heredoc(std::string_view content) {
  std::string out;
  out.reserve(content.size());
  bool line_start = true;
  for (char c : content) {
    if (line_start && c == '\t') {
      continue;
    }
    line_start = c == '\n';
    out += c;
  }
  return out;
}

} // namespace dockerfile
