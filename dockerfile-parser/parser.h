#pragma once

#include "dockerfile-parser/ast.h"

#include <string_view>

namespace dockerfile {

/// The longest physical line BuildKit accepts, without its newline.
inline constexpr size_t k_max_line_length = 65535;

/// Parses Dockerfile text into its AST exactly as BuildKit's parser does:
/// parser directives, line continuations (comments and blank lines inside
/// them skipped), builder flags, JSON vs shell form, heredocs. `filename`
/// names the input in diagnostics. Never throws for bad input: errors and
/// warnings (e.g. empty continuation lines) come back in the result, and
/// parsing continues after a bad instruction where that is cheap.
ParseResult parse(std::string_view text, std::string_view filename = "Dockerfile");

} // namespace dockerfile
