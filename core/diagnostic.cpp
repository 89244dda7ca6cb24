#include "core/diagnostic.h"

#include <algorithm>

namespace core {

std::string_view to_string(Severity severity) {
  switch (severity) {
  case Severity::error: return "error";
  case Severity::warning: return "warning";
  case Severity::note: return "note";
  }
  return "error";
}

namespace {

/// The text of 1-based line `line` in `source`, without its newline, or
/// nullopt-like empty view with found=false when there is no such line.
bool find_line(std::string_view source, int line, std::string_view& out) {
  if (line < 1) {
    return false;
  }
  size_t start = 0;
  for (int i = 1; i < line; ++i) {
    size_t nl = source.find('\n', start);
    if (nl == std::string_view::npos) {
      return false;
    }
    start = nl + 1;
  }
  if (start > source.size() || (start == source.size() && line > 1)) {
    return false;
  }
  size_t end = source.find('\n', start);
  out = source.substr(start, end == std::string_view::npos ? end : end - start);
  if (!out.empty() && out.back() == '\r') {
    out.remove_suffix(1);
  }
  return true;
}

std::string caret_line(std::string_view text, const SourceLocation& loc) {
  std::string caret = "  ";
  int begin = std::max(loc.begin.column, 1);
  for (int i = 1; i < begin; ++i) {
    // Keep tabs so the caret lines up under tab-indented source.
    size_t idx = static_cast<size_t>(i - 1);
    caret += (idx < text.size() && text[idx] == '\t') ? '\t' : ' ';
  }
  caret += '^';
  if (loc.end.line == loc.begin.line && loc.end.column > begin) {
    int last = std::min(loc.end.column, static_cast<int>(text.size()));
    caret.append(static_cast<size_t>(std::max(last - begin, 0)), '~');
  }
  return caret;
}

} // namespace

std::string render(const Diagnostic& d, std::string_view source) {
  std::string out = d.location.file;
  if (d.location.begin.line > 0) {
    out += ':' + std::to_string(d.location.begin.line);
    if (d.location.begin.column > 0) {
      out += ':' + std::to_string(d.location.begin.column);
    }
  }
  out.append(": ").append(to_string(d.severity)).append(": ").append(d.message);
  if (!d.hint.empty()) {
    out.append(" (").append(d.hint).append(")");
  }
  out += '\n';
  std::string_view text;
  if (find_line(source, d.location.begin.line, text)) {
    out.append("  ").append(text).append("\n");
    if (d.location.begin.column > 0) {
      out.append(caret_line(text, d.location)).append("\n");
    }
  }
  return out;
}

bool has_errors(const std::vector<Diagnostic>& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::error; });
}

} // namespace core
