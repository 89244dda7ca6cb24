#pragma once

#include "dockerfile-parser/instructions.h"

#include <optional>
#include <string>

/// One function per instruction keyword: a Node to its typed struct, with
/// BuildKit's checks. Internal to to_instructions().
namespace dockerfile::detail {

/// Why an instruction was rejected.
struct ParseFailure {
  std::string message;
  std::string hint;   ///< e.g. "did you mean --chown?"
  std::string locate; ///< text to point the caret at (a flag), or "" for the keyword
};

/// Parses any instruction but FROM into `out`.
std::optional<ParseFailure> parse_body(const Node& node, InstructionBody& out);

/// Parses a FROM line into the stage header fields of `out`.
std::optional<ParseFailure> parse_from(const Node& node, Stage& out);

} // namespace dockerfile::detail
