#include "builder/onbuild.h"

#include "core/error.h"
#include "dockerfile-parser/parser.h"

namespace builder {

namespace {

std::string first_word_upper(const std::string& text) {
  size_t start = text.find_first_not_of(" \t");
  if (start == std::string::npos) {
    return "";
  }
  size_t end = text.find_first_of(" \t\n", start);
  std::string word = text.substr(start, end == std::string::npos ? end : end - start);
  for (char& c : word) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return word;
}

/// The first error of `diagnostics`, or "".
std::string first_error(const std::vector<core::Diagnostic>& diagnostics) {
  for (const core::Diagnostic& d : diagnostics) {
    if (d.severity == core::Severity::error) {
      return d.message;
    }
  }
  return "";
}

dockerfile::Instruction parse_trigger(const std::string& trigger, const std::string& where) {
  std::string keyword = first_word_upper(trigger);
  // The parser refuses these after ONBUILD in a Dockerfile; an image made
  // elsewhere may still carry them, so they are checked again here.
  if (keyword == "ONBUILD") {
    throw core::InputError(where + ": chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  }
  if (keyword == "FROM" || keyword == "MAINTAINER") {
    throw core::InputError(where + ": " + keyword + " isn't allowed as an ONBUILD trigger");
  }
  // A one-instruction Dockerfile: the stage's FROM only gives it a place.
  std::string text = "FROM scratch\n" + trigger + "\n";
  dockerfile::ParseResult parsed = dockerfile::parse(text, "ONBUILD");
  std::string error = first_error(parsed.diagnostics);
  if (error.empty()) {
    dockerfile::Dockerfile typed = dockerfile::to_instructions(parsed.ast, "ONBUILD", text);
    error = first_error(typed.diagnostics);
    if (error.empty() && typed.stages.size() == 1 && typed.stages[0].instructions.size() == 1) {
      return typed.stages[0].instructions[0];
    }
  }
  throw core::InputError(where + ": " + (error.empty() ? "not a single instruction" : error));
}

} // namespace

std::vector<dockerfile::Instruction>
parse_onbuild_triggers(const std::vector<std::string>& triggers, const std::string& base_name) {
  std::vector<dockerfile::Instruction> out;
  for (size_t i = 0; i < triggers.size(); ++i) {
    std::string first_line = triggers[i].substr(0, triggers[i].find('\n'));
    std::string where = "FROM " + base_name + ": ONBUILD trigger " + std::to_string(i + 1) + " '" +
                        first_line + "'";
    out.push_back(parse_trigger(triggers[i], where));
  }
  return out;
}

} // namespace builder
