#include "dockerfile-parser/instructions.h"

#include "dockerfile-parser/instruction_parsers.h"
#include "dockerfile-parser/suggest.h"
#include "dockerfile-parser/unicode.h"

#include <algorithm>

namespace dockerfile {

namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    }
  }
  return out;
}

/// The 1-based text of `line` in `source`, or "" when out of range.
std::string_view source_line(std::string_view source, int line) {
  size_t start = 0;
  for (int i = 1; i < line; ++i) {
    size_t nl = source.find('\n', start);
    if (nl == std::string_view::npos) {
      return {};
    }
    start = nl + 1;
  }
  size_t end = source.find('\n', start);
  return source.substr(start, end == std::string_view::npos ? end : end - start);
}

class Converter {
public:
  Converter(std::string_view filename, std::string_view source)
      : m_filename(filename), m_source(source) {}

  Dockerfile run(const Ast& ast) {
    m_out.escape = ast.escape;
    for (const Node& node : ast.children) {
      convert(node);
    }
    return std::move(m_out);
  }

private:
  void convert(const Node& node);
  void report(const Node& node, const detail::ParseFailure& failure);

  std::string m_filename;
  std::string_view m_source;
  Dockerfile m_out;
};

void Converter::report(const Node& node, const detail::ParseFailure& failure) {
  core::Diagnostic d;
  d.code = "invalid-instruction";
  d.location.file = m_filename;
  d.location.begin = {node.start_line, node.column};
  d.location.end = {node.start_line, node.column};
  d.message = failure.message;
  d.hint = failure.hint;
  // Point at the offending flag when it is on the keyword's line.
  std::string_view line = source_line(m_source, node.start_line);
  const size_t at = failure.locate.empty() ? std::string_view::npos : line.find(failure.locate);
  if (at != std::string_view::npos) {
    d.location.begin.column = static_cast<int>(at) + 1;
    d.location.end.column = static_cast<int>(at + failure.locate.size());
  } else {
    const size_t word =
        std::min(line.find_first_of(" \t", static_cast<size_t>(node.column - 1)), line.size());
    d.location.end.column = std::max(node.column, static_cast<int>(word));
  }
  m_out.diagnostics.push_back(std::move(d));
}

void Converter::convert(const Node& node) {
  if (node.keyword == "from") {
    Stage stage;
    if (auto failure = detail::parse_from(node, stage)) {
      report(node, *failure);
      stage.source = std::string(trim_space(node.original));
      stage.start_line = node.start_line;
    }
    m_out.stages.push_back(std::move(stage));
    return;
  }
  const bool known = std::find(instruction_names().begin(), instruction_names().end(),
                               upper(node.keyword)) != instruction_names().end();
  if (!known) {
    std::string_view as_written = trim_left_space(node.original);
    as_written =
        as_written.substr(0, std::min(as_written.find_first_of(" \t\v\f\r"), as_written.size()));
    auto guess = suggest(node.keyword, instruction_names(), true);
    report(node, {"unknown instruction '" + std::string(as_written) + "'",
                  guess ? "did you mean '" + *guess + "'?" : "", ""});
    return;
  }
  Instruction inst;
  inst.keyword = upper(node.keyword);
  inst.source = std::string(trim_space(node.original));
  inst.start_line = node.start_line;
  inst.end_line = node.end_line;
  inst.flags = node.flags;
  if (auto failure = detail::parse_body(node, inst.body)) {
    report(node, *failure);
    return;
  }
  if (m_out.stages.empty()) {
    if (const ArgInstruction* arg = inst.as<ArgInstruction>()) {
      m_out.global_args.push_back(*arg);
      return;
    }
    report(node, {"no build stage in current context", "start the Dockerfile with FROM", ""});
    return;
  }
  m_out.stages.back().end_line = node.end_line;
  m_out.stages.back().instructions.push_back(std::move(inst));
}

} // namespace

const std::vector<std::string_view>& instruction_names() {
  static const std::vector<std::string_view> k_names = {
      "ADD",    "ARG",   "CMD",         "COPY",  "ENTRYPOINT", "ENV",
      "EXPOSE", "FROM",  "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD",
      "RUN",    "SHELL", "STOPSIGNAL",  "USER",  "VOLUME",     "WORKDIR"};
  return k_names;
}

Dockerfile to_instructions(const Ast& ast, std::string_view filename, std::string_view source) {
  return Converter(filename, source).run(ast);
}

} // namespace dockerfile
