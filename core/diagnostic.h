#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace core {

enum class Severity { error, warning, note };

/// A 1-based line and a 1-based byte column.
struct SourcePosition {
  int line = 0;
  int column = 0;
};

/// A range in a named input. `end` is inclusive; an empty range has end == begin.
struct SourceLocation {
  std::string file; ///< as the user named it, e.g. "Dockerfile"
  SourcePosition begin;
  SourcePosition end;
};

/// One finding about bad user input. Parsers collect these instead of throwing
/// so the user sees every error of a file in one run.
struct Diagnostic {
  Severity severity = Severity::error;
  std::string code; ///< stable identifier, e.g. "unknown-instruction"
  SourceLocation location;
  std::string message; ///< what is wrong, one sentence, no trailing period
  std::string hint;    ///< optional: what to do, e.g. "did you mean 'RUN'?"
};

/// "error", "warning" or "note".
std::string_view to_string(Severity severity);

/// Renders like ninja plus a column:
///   Dockerfile:12:1: error: unknown instruction 'RUNN' (did you mean 'RUN'?)
///     RUNN apt-get update
///     ^~~~
/// `source` is the whole input text; the offending line is quoted from it when
/// the location's line exists. Always ends with a newline.
std::string render(const Diagnostic& diagnostic, std::string_view source);

/// True when any diagnostic is an error (not only warnings and notes).
bool has_errors(const std::vector<Diagnostic>& diagnostics);

} // namespace core
