#include "dockerfile-parser/parser.h"

#include "dockerfile-parser/directive_parser.h"
#include "dockerfile-parser/heredoc.h"
#include "dockerfile-parser/line_parsers.h"
#include "dockerfile-parser/unicode.h"

namespace dockerfile {

namespace {

/// Reads physical lines; each keeps its '\n' (BuildKit's scanLines).
class LineReader {
public:
  explicit LineReader(std::string_view text) : m_text(text) {}

  /// The next line with its terminator, or nullopt at the end.
  std::optional<std::string_view> next() {
    if (m_pos >= m_text.size()) {
      return std::nullopt;
    }
    size_t nl = m_text.find('\n', m_pos);
    size_t end = nl == std::string_view::npos ? m_text.size() : nl + 1;
    std::string_view line = m_text.substr(m_pos, end - m_pos);
    m_pos = end;
    ++m_line;
    if (m_first_long_line == 0 && line.size() > k_max_line_length &&
        line.find_last_not_of("\r\n") + 1 > k_max_line_length) {
      m_first_long_line = m_line;
    }
    return line;
  }
  int line() const { return m_line; }
  /// The first line longer than k_max_line_length, or 0.
  int first_long_line() const { return m_first_long_line; }

private:
  std::string_view m_text;
  size_t m_pos = 0;
  int m_line = 0;
  int m_first_long_line = 0;
};

std::string_view trim_newline(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool is_comment(std::string_view line) {
  line = trim_left_space(line);
  return !line.empty() && line[0] == '#';
}

/// The continuation test: E after a non-E character (or alone), then only
/// spaces/TABs. Removes the E and what follows it; returns true to continue.
bool trim_continuation(std::string& line, char escape) {
  size_t end = line.size();
  while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t')) {
    --end;
  }
  if (end == 0 || line[end - 1] != escape) {
    return false;
  }
  const size_t e = end - 1;
  if (e > 0 && line[e - 1] == escape) {
    return false;
  }
  line.resize(e);
  return true;
}

class Parser {
public:
  Parser(std::string_view text, std::string_view filename) : m_reader(text), m_filename(filename) {}

  ParseResult run();

private:
  std::optional<std::string> read_physical(bool first_of_instruction);
  bool read_instruction(std::string& line, int& start_line, int& column);
  void read_heredocs(Node& node, int start_line);
  void add_diagnostic(core::Severity severity, std::string code, int line, int column,
                      std::string message, int end_line = 0);

  LineReader m_reader;
  std::string m_filename;
  detail::DirectiveParser m_directives;
  ParseResult m_result;
  std::vector<std::string> m_comments;
  bool m_first_line = true;
  int m_indent = 0; ///< bytes of white space before the last first line's text
};

void Parser::add_diagnostic(core::Severity severity, std::string code, int line, int column,
                            std::string message, int end_line) {
  core::Diagnostic d;
  d.severity = severity;
  d.code = std::move(code);
  d.location.file = m_filename;
  d.location.begin = {line, column};
  d.location.end = {end_line > 0 ? end_line : line, column};
  d.message = std::move(message);
  m_result.diagnostics.push_back(std::move(d));
}

/// Reads one physical line and applies processLine: newline removed, leading
/// white space removed for the first line of an instruction, directives
/// recognised, comments blanked. nullopt at end of input.
std::optional<std::string> Parser::read_physical(bool first_of_instruction) {
  std::optional<std::string_view> raw = m_reader.next();
  if (!raw) {
    return std::nullopt;
  }
  std::string_view line = *raw;
  if (m_first_line) {
    m_first_line = false;
    if (line.substr(0, 3) == "\xEF\xBB\xBF") {
      line.remove_prefix(3);
    }
  }
  if (trim_newline(line).size() > k_max_line_length) {
    return std::string(); // reported once, at the end of run()
  }
  if (first_of_instruction && is_comment(line)) {
    std::string_view comment = trim_space(trim_left_space(line).substr(1));
    if (comment.empty()) {
      m_comments.clear();
    } else {
      m_comments.emplace_back(comment);
    }
  }
  line = trim_newline(line);
  if (first_of_instruction) {
    std::string_view stripped = trim_left_space(line);
    m_indent = static_cast<int>(line.size() - stripped.size());
    line = stripped;
  }
  std::string error;
  std::optional<Directive> directive = m_directives.parse_line(line, m_reader.line(), error);
  if (!error.empty()) {
    add_diagnostic(core::Severity::error, "duplicate-directive", m_reader.line(), 1, error);
  }
  if (directive) {
    if (!m_comments.empty()) {
      m_comments.pop_back();
    }
    if (directive->name == "escape") {
      if (directive->value == "`" || directive->value == "\\") {
        m_result.ast.escape = directive->value[0];
      } else {
        add_diagnostic(core::Severity::error, "invalid-escape", m_reader.line(), 1,
                       "invalid escape token '" + directive->value + "' does not match ` or \\");
      }
    }
    m_result.ast.directives.push_back(std::move(*directive));
  }
  if (is_comment(line)) {
    return std::string();
  }
  return std::string(line);
}

/// Assembles the next logical line. Returns false at the end of input.
bool Parser::read_instruction(std::string& line, int& start_line, int& column) {
  for (;;) {
    std::optional<std::string> first = read_physical(true);
    if (!first) {
      return false;
    }
    start_line = m_reader.line();
    line = std::move(*first);
    bool continues = trim_continuation(line, m_result.ast.escape);
    if (!continues && line.empty()) {
      continue;
    }
    column = m_indent + 1;
    bool empty_continuation = false;
    while (continues) {
      std::optional<std::string_view> raw = m_reader.next();
      if (!raw) {
        break;
      }
      std::string_view text = trim_newline(*raw);
      std::string err;
      m_directives.parse_line(text, m_reader.line(), err);
      if (is_comment(text)) {
        continue;
      }
      if (trim_left_space(text).empty()) {
        empty_continuation = true;
        continue;
      }
      std::string piece(text);
      continues = trim_continuation(piece, m_result.ast.escape);
      line += piece;
    }
    if (empty_continuation) {
      add_diagnostic(core::Severity::warning, "no-empty-continuation", m_reader.line(), 1,
                     "Empty continuation line found in: " + line);
      m_result.diagnostics.back().hint =
          "empty continuation lines will become errors in a future release";
    }
    return true;
  }
}

void Parser::read_heredocs(Node& node, int start_line) {
  const Node& target = node.keyword == "onbuild" && !node.sub.empty() ? node.sub[0] : node;
  const bool can_have =
      (target.keyword == "run" || target.keyword == "copy" || target.keyword == "add") &&
      !target.json_form;
  if (!can_have || node.original.find("<<") == std::string::npos) {
    return;
  }
  HeredocMarkers found = heredoc_markers(node.original);
  if (!found.error.empty()) {
    add_diagnostic(core::Severity::error, "invalid-heredoc", start_line, node.column, found.error);
    return;
  }
  for (Heredoc& doc : found.markers) {
    bool terminated = false;
    while (std::optional<std::string_view> raw = m_reader.next()) {
      std::string_view candidate = trim_newline(*raw);
      if (doc.chomp) {
        candidate.remove_prefix(std::min(candidate.find_first_not_of('\t'), candidate.size()));
      }
      if (candidate == doc.name) {
        terminated = true;
        break;
      }
      doc.content.append(*raw);
    }
    if (!terminated) {
      add_diagnostic(core::Severity::error, "unterminated-heredoc", start_line, node.column,
                     "unterminated heredoc", m_reader.line());
      return;
    }
    node.heredocs.push_back(std::move(doc));
  }
}

ParseResult Parser::run() {
  std::string line;
  int start_line = 0;
  int column = 1;
  while (read_instruction(line, start_line, column)) {
    Node node;
    std::string error = detail::parse_node(node, line, m_result.ast.escape);
    node.start_line = start_line;
    node.column = column;
    if (!error.empty()) {
      add_diagnostic(core::Severity::error, "syntax", start_line, column, error, m_reader.line());
      m_comments.clear();
      continue;
    }
    read_heredocs(node, start_line);
    node.end_line = m_reader.line();
    node.comments = std::move(m_comments);
    m_comments.clear();
    if (m_result.ast.children.empty()) {
      m_result.ast.start_line = start_line;
    }
    m_result.ast.end_line = node.end_line;
    m_result.ast.children.push_back(std::move(node));
  }
  if (int long_line = m_reader.first_long_line(); long_line > 0) {
    // BuildKit's line scanner gives up on such a file; we report it once,
    // wherever the line is (instruction, continuation or heredoc body).
    add_diagnostic(core::Severity::error, "line-too-long", long_line, 1,
                   "dockerfile line greater than max allowed size of " +
                       std::to_string(k_max_line_length));
  }
  if (m_result.ast.children.empty() && m_result.ok()) {
    add_diagnostic(core::Severity::error, "no-instructions", std::max(m_reader.line(), 1), 0,
                   "file with no instructions");
  }
  return std::move(m_result);
}

} // namespace

ParseResult parse(std::string_view text, std::string_view filename) {
  return Parser(text, filename).run();
}

} // namespace dockerfile
