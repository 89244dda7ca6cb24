#include "dockerfile-parser/shell_lex.h"

#include "dockerfile-parser/go_quote.h"
#include "dockerfile-parser/shell_pattern.h"
#include "dockerfile-parser/unicode.h"

#include <optional>

namespace dockerfile {

namespace {

constexpr char32_t k_eof = static_cast<char32_t>(-1);

/// Thrown inside one expansion only; process() turns it into ExpandResult.
struct LexFailure {
  std::string message;
};

/// The words being built by one scan. `buf` is shared by all nested scans of
/// one expansion, exactly like BuildKit's lexer; see the note in scan().
struct WordCollector {
  std::string* buf = nullptr;
  std::vector<std::string> words;
  bool in_word = false;

  void add_char(char32_t c) {
    if (is_space(c)) {
      if (in_word && !buf->empty()) {
        words.push_back(*buf);
        buf->clear();
        in_word = false;
      }
      return;
    }
    add_raw_char(c);
  }
  void add_raw_char(char32_t c) {
    append_utf8(*buf, c);
    in_word = true;
  }
  void add_string(std::string_view s) {
    for (size_t pos = 0; pos < s.size();) {
      DecodedRune d = decode_rune(s, pos);
      add_char(d.rune);
      pos += d.width;
    }
  }
  void add_raw_string(std::string_view s) {
    buf->append(s);
    in_word = true;
  }
  std::vector<std::string> finish() {
    if (!buf->empty()) {
      words.push_back(*buf);
      buf->clear();
      in_word = false;
    }
    return std::move(words);
  }
};

struct ScanResult {
  std::string text;
  std::vector<std::string> words;
};

/// One expansion of one input: a cursor over its code points.
class Scanner {
public:
  Scanner(std::string_view input, const Env& env, const ShellLexOptions& options,
          ExpandResult& result)
      : m_env(env), m_options(options), m_result(result), m_raw_escapes(options.raw_escapes) {
    for (size_t pos = 0; pos < input.size();) {
      DecodedRune d = decode_rune(input, pos);
      m_runes.push_back(d.rune);
      pos += d.width;
    }
  }

  ScanResult run() { return scan(k_eof, m_raw_escapes); }

private:
  char32_t peek() const { return m_pos < m_runes.size() ? m_runes[m_pos] : k_eof; }
  char32_t next() { return m_pos < m_runes.size() ? m_runes[m_pos++] : k_eof; }

  ScanResult scan(char32_t stop, bool raw_escapes);
  void scan_rune(char32_t c, std::string& text, WordCollector& words);
  std::string single_quote();
  std::string double_quote();
  std::string dollar();
  std::string braced(const std::string& name);
  std::string modifier(const std::string& name, char32_t op, std::string ops, bool null_is_unset);
  std::string substitute(const std::string& name);
  std::string name();
  std::string possible_heredoc();
  std::optional<std::string> lookup(const std::string& name);

  std::vector<char32_t> m_runes;
  size_t m_pos = 0;
  const Env& m_env;
  const ShellLexOptions& m_options;
  ExpandResult& m_result;
  bool m_raw_escapes;
  std::string m_word_buffer;
  int m_depth = 0;
  static constexpr int k_max_depth = 200;
};

bool is_special_param(char32_t c) {
  switch (c) {
  case '@':
  case '*':
  case '#':
  case '?':
  case '-':
  case '$':
  case '!':
  case '0': return true;
  default: return false;
  }
}

std::string to_utf8(char32_t c) {
  std::string s;
  append_utf8(s, c == k_eof ? k_replacement_char : c);
  return s;
}

ScanResult Scanner::scan(char32_t stop, bool raw_escapes) {
  // Go grows its stack; we bound nesting instead so hostile input cannot
  // overflow ours. Real Dockerfiles nest ${} a few levels at most.
  if (++m_depth > k_max_depth) {
    throw LexFailure{"expansion nested too deeply"};
  }
  struct Leave {
    int& depth;
    ~Leave() { --depth; }
  } leave{m_depth};
  // BuildKit quirk kept on purpose: every scan, nested ones included, starts by
  // clearing the shared word buffer, so in word mode `a${B:-q}` yields `q`.
  m_word_buffer.clear();
  WordCollector words{&m_word_buffer, {}, false};
  std::string text;
  const bool saved_raw = m_raw_escapes;
  m_raw_escapes = raw_escapes;
  struct Restore {
    bool& target;
    bool value;
    ~Restore() { target = value; }
  } restore{m_raw_escapes, saved_raw};

  while (peek() != k_eof) {
    const char32_t c = peek();
    if (stop != k_eof && c == stop) {
      next();
      return {std::move(text), words.finish()};
    }
    if (c == '$') {
      std::string value = dollar();
      text += value;
      words.add_string(value);
    } else if (c == '<') {
      std::string value = possible_heredoc();
      text += value;
      words.add_raw_string(value);
    } else if (!m_options.no_quote_processing && (c == '\'' || c == '"')) {
      std::string value = c == '\'' ? single_quote() : double_quote();
      text += value;
      words.add_raw_string(value);
    } else {
      scan_rune(next(), text, words);
    }
  }
  if (stop != k_eof) {
    throw LexFailure{"unexpected end of statement while looking for matching " + to_utf8(stop)};
  }
  return {std::move(text), words.finish()};
}

void Scanner::scan_rune(char32_t c, std::string& text, WordCollector& words) {
  if (c == m_options.escape) {
    if (m_raw_escapes) {
      words.add_raw_char(c);
      append_utf8(text, c);
    }
    c = next(); // the escape token makes the next character literal
    if (c == k_eof) {
      return;
    }
    words.add_raw_char(c);
  } else {
    words.add_char(c);
  }
  append_utf8(text, c);
}

std::string Scanner::single_quote() {
  std::string out;
  char32_t c = next();
  if (m_options.raw_quotes) {
    append_utf8(out, c);
  }
  for (;;) {
    c = next();
    if (c == k_eof) {
      throw LexFailure{"unexpected end of statement while looking for matching single-quote"};
    }
    if (c == '\'') {
      if (m_options.raw_quotes) {
        append_utf8(out, c);
      }
      return out;
    }
    append_utf8(out, c);
  }
}

std::string Scanner::double_quote() {
  std::string out;
  char32_t c = next();
  if (m_options.raw_quotes) {
    append_utf8(out, c);
  }
  for (;;) {
    const char32_t p = peek();
    if (p == k_eof) {
      throw LexFailure{"unexpected end of statement while looking for matching double-quote"};
    }
    if (p == '"') {
      next();
      if (m_options.raw_quotes) {
        append_utf8(out, p);
      }
      return out;
    }
    if (p == '$') {
      out += dollar();
      continue;
    }
    c = next();
    if (c == m_options.escape) {
      if (m_raw_escapes) {
        append_utf8(out, c);
      }
      const char32_t after = peek();
      if (after == k_eof) {
        continue; // a trailing escape is dropped; the missing quote is reported
      }
      if (after == '"' || after == '$' || after == m_options.escape) {
        c = next();
      }
    }
    append_utf8(out, c);
  }
}

std::string Scanner::dollar() {
  next(); // '$'
  if (peek() != '{') {
    std::string n = name();
    if (n.empty()) {
      return "$";
    }
    std::optional<std::string> value = lookup(n);
    if (!value && m_options.keep_unset) {
      return "$" + n;
    }
    return value.value_or("");
  }
  next(); // '{'
  const char32_t p = peek();
  if (p == k_eof) {
    throw LexFailure{"syntax error: missing '}'"};
  }
  if (p == '{' || p == '}' || p == ':') {
    throw LexFailure{"syntax error: bad substitution"};
  }
  return braced(name());
}

std::string Scanner::braced(const std::string& n) {
  char32_t op = next();
  std::string ops = to_utf8(op);
  switch (op) {
  case '}': {
    std::optional<std::string> value = lookup(n);
    if (!value && m_options.keep_unset) {
      return "${" + n + "}";
    }
    return value.value_or("");
  }
  case ':':
    op = next();
    ops += to_utf8(op);
    return modifier(n, op, ops, true);
  case '+':
  case '-':
  case '?':
  case '#':
  case '%': return modifier(n, op, ops, false);
  case '/': return substitute(n);
  default: throw LexFailure{"unsupported modifier (" + ops + ") in substitution"};
  }
}

std::string Scanner::modifier(const std::string& n, char32_t op, std::string ops,
                              bool null_is_unset) {
  const bool pattern_op = op == '#' || op == '%';
  if (null_is_unset && pattern_op) {
    throw LexFailure{"unsupported modifier (" + ops + ") in substitution"};
  }
  std::string word;
  try {
    word = scan('}', pattern_op).text;
  } catch (const LexFailure&) {
    if (peek() == k_eof) {
      throw LexFailure{"syntax error: missing '}'"};
    }
    throw;
  }
  std::optional<std::string> value = lookup(n);
  if (!value && m_options.keep_unset) {
    return "${" + n + ops + word + "}";
  }
  const bool empty = !value || (null_is_unset && value->empty());
  switch (op) {
  case '-': return empty ? word : *value;
  case '+': return empty ? std::string() : word;
  case '?':
    if (!value) {
      throw LexFailure{n + ": " + (word.empty() ? "is not allowed to be unset" : word)};
    }
    if (empty) {
      throw LexFailure{n + ": " + (word.empty() ? "is not allowed to be empty" : word)};
    }
    return *value;
  case '#':
  case '%': {
    bool greedy = false;
    if (!word.empty() && static_cast<char32_t>(static_cast<unsigned char>(word[0])) == op) {
      greedy = true;
      word.erase(0, 1);
    }
    std::string error;
    auto tokens = shell_pattern::compile(word, error);
    if (!tokens) {
      throw LexFailure{"invalid pattern (" + word + ") in substitution: " + error};
    }
    const std::string v = value.value_or("");
    return op == '%' ? shell_pattern::trim_suffix(*tokens, v, greedy)
                     : shell_pattern::trim_prefix(*tokens, v, greedy);
  }
  default: throw LexFailure{"unsupported modifier (" + ops + ") in substitution"};
  }
}

std::string Scanner::substitute(const std::string& n) {
  const bool replace_all = peek() == '/';
  if (replace_all) {
    next();
  }
  std::string pattern;
  std::string replacement;
  try {
    pattern = scan('/', true).text;
  } catch (const LexFailure&) {
    if (peek() == k_eof) {
      throw LexFailure{"syntax error: missing '/' in ${}"};
    }
    throw;
  }
  try {
    replacement = scan('}', true).text;
  } catch (const LexFailure&) {
    if (peek() == k_eof) {
      throw LexFailure{"syntax error: missing '}'"};
    }
    throw;
  }
  std::optional<std::string> value = lookup(n);
  if (!value && m_options.keep_unset) {
    return "${" + n + "/" + pattern + "/" + replacement + "}";
  }
  std::string error;
  auto tokens = shell_pattern::compile(pattern, error);
  if (!tokens) {
    throw LexFailure{"invalid pattern (" + pattern + ") in substitution: " + error};
  }
  const std::string v = value.value_or("");
  return replace_all ? shell_pattern::replace_all(*tokens, v, replacement)
                     : shell_pattern::replace_first(*tokens, v, replacement);
}

std::string Scanner::name() {
  std::string out;
  while (peek() != k_eof) {
    const char32_t c = peek();
    if (out.empty() && is_digit(c)) {
      while (peek() != k_eof && is_digit(peek())) {
        append_utf8(out, next());
      }
      return out;
    }
    if (out.empty() && is_special_param(c)) {
      return to_utf8(next());
    }
    if (!is_letter(c) && !is_digit(c) && c != '_') {
      break;
    }
    append_utf8(out, next());
  }
  return out;
}

std::string Scanner::possible_heredoc() {
  next(); // '<'
  if (peek() != '<') {
    return "<";
  }
  next();
  std::string out = "<<";
  while (peek() == '\t' || peek() == '\r' || peek() == ' ') {
    append_utf8(out, next());
  }
  return out;
}

std::optional<std::string> Scanner::lookup(const std::string& n) {
  if (auto value = m_env.get(n)) {
    m_result.used.insert(n);
    return std::string(*value);
  }
  m_result.unset.insert(n);
  return std::nullopt;
}

} // namespace

ExpandResult ShellLex::process(std::string_view word, const Env& env) const {
  ExpandResult result;
  try {
    Scanner scanner(word, env, m_options, result);
    ScanResult scanned = scanner.run();
    result.word = std::move(scanned.text);
    result.words = std::move(scanned.words);
  } catch (const LexFailure& failure) {
    result.ok = false;
    result.error = "failed to process " + go_quote(word) + ": " + failure.message;
    result.word.clear();
    result.words.clear();
  }
  return result;
}

ExpandResult ShellLex::expand_word(std::string_view word, const Env& env) const {
  return process(word, env);
}

ExpandResult ShellLex::expand_words(std::string_view word, const Env& env) const {
  return process(word, env);
}

} // namespace dockerfile
