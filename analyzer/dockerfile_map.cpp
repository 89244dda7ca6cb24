#include "analyzer/dockerfile_map.h"

#include "dockerfile-parser/parser.h"

#include <cctype>

namespace analyzer {
namespace {

std::string collapse(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space)
      out += ' ';
    space = false;
    out += c;
  }
  return out;
}

bool creates_layer(std::string_view keyword) {
  return keyword == "run" || keyword == "copy" || keyword == "add";
}

} // namespace

DockerfileMap::DockerfileMap(std::string_view text, const ImageInfo& info) {
  dockerfile::ParseResult parsed = dockerfile::parse(text);
  for (const dockerfile::Node& node : parsed.ast.children) {
    if (node.keyword == "from")
      m_final_stage.clear();
    m_final_stage.push_back(
        {node.keyword, collapse(node.original), DockerfileSpan{node.start_line, node.end_line}});
  }
  // Match layers to layer-creating instructions from the top: the last N
  // layers belong to the last N such instructions (the rest come from FROM).
  std::vector<const Instruction*> creators;
  for (const Instruction& instruction : m_final_stage) {
    if (creates_layer(instruction.keyword))
      creators.push_back(&instruction);
  }
  m_layer_lines.resize(info.layers.size());
  std::size_t layers = info.layers.size();
  for (std::size_t i = 0; i < creators.size() && i < layers; ++i) {
    std::size_t layer = layers - creators.size() + i;
    if (layers >= creators.size())
      m_layer_lines[layer] = creators[i]->span;
  }
  // Prefer an exact text match of the RUN command when the history has one.
  for (std::size_t layer = 0; layer < layers; ++layer) {
    std::string instruction = collapse(instruction_of(info.layers[layer].created_by));
    if (!instruction.starts_with("RUN "))
      continue;
    for (const Instruction* creator : creators) {
      if (creator->keyword == "run" &&
          creator->text.find(instruction.substr(4)) != std::string::npos)
        m_layer_lines[layer] = creator->span;
    }
  }
}

std::optional<DockerfileSpan> DockerfileMap::find_keyword(std::string_view keyword,
                                                          std::string_view containing) const {
  for (auto it = m_final_stage.rbegin(); it != m_final_stage.rend(); ++it) {
    if (it->keyword == keyword && it->text.find(containing) != std::string::npos)
      return it->span;
  }
  return std::nullopt;
}

std::optional<DockerfileSpan> DockerfileMap::locate(const Finding& finding) const {
  std::optional<DockerfileSpan> span;
  if (finding.rule_id == "config/root-user")
    span = find_keyword("user");
  else if (finding.rule_id == "config/secret-env" && finding.path.starts_with("config:Env:"))
    span = find_keyword("env", finding.path.substr(11));
  else if (finding.rule_id == "config/no-healthcheck")
    span = find_keyword("healthcheck");
  else if (finding.secret && finding.secret->field == "Env")
    span = find_keyword("env", finding.secret->key);
  else if (finding.secret && finding.secret->field == "Labels")
    span = find_keyword("label", finding.secret->key);
  else if (finding.secret && finding.secret->origin == "history" && !finding.secret->key.empty())
    span = find_keyword("arg", finding.secret->key);
  if (!span && finding.layer && *finding.layer < m_layer_lines.size())
    span = m_layer_lines[*finding.layer];
  if (!span)
    span = find_keyword("from");
  return span;
}

} // namespace analyzer
