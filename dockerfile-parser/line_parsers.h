#pragma once

#include "dockerfile-parser/ast.h"

#include <string>
#include <string_view>
#include <vector>

/// The per-line pieces of the parser: keyword and builder flags, and the
/// argument rule of each keyword (BuildKit's line_parsers). Internal to the
/// parser; exposed for unit tests.
namespace dockerfile::detail {

/// A logical line cut into keyword, flags and the remaining text.
struct SplitLine {
  std::string keyword;            ///< as written (not lower-cased)
  std::vector<std::string> flags; ///< "--name=value", flag quotes and escapes removed
  std::string rest;               ///< the arguments, trimmed
};

/// Splits `line` at its first run of blanks and extracts the `--flags` that
/// follow, up to the first word not starting with `--` or a bare `--`.
SplitLine split_line(std::string_view line, char escape);

/// Quote-aware word split used by ARG, ENV and LABEL. Quotes and escapes stay
/// in the words; an unterminated quote is not an error here.
std::vector<std::string> parse_words(std::string_view rest, char escape);

/// Fills node.args, node.sub and node.json_form from `rest` by the rule of
/// node.keyword. Returns an error message, or "" on success.
std::string parse_arguments(Node& node, std::string_view rest, char escape);

/// Builds a Node (keyword, flags, arguments) from one logical line.
/// Returns an error message, or "" on success.
std::string parse_node(Node& node, std::string_view line, char escape);

} // namespace dockerfile::detail
