#pragma once

#include "core/diagnostic.h"

#include <optional>
#include <string>
#include <vector>

/// The syntactic layer of a Dockerfile, as BuildKit's parser package builds it:
/// one Node per instruction with its raw arguments and line range. Nothing here
/// knows what an instruction means; see instructions.h for the typed layer.
namespace dockerfile {

/// A here-document attached to RUN, COPY or ADD (`<<EOF` ... `EOF`).
struct Heredoc {
  std::string name;    ///< the terminator word, quotes removed
  std::string content; ///< the body lines, verbatim with their newlines
  unsigned fd = 0;     ///< the file descriptor digits before `<<` (0 if none)
  bool expand = true;  ///< false when any part of the name was quoted
  bool chomp = false;  ///< `<<-`: leading TABs are removed when the body is used
};

/// One instruction as written.
struct Node {
  std::string keyword;            ///< lower-cased ("run"); unknown words are kept
  std::string original;           ///< the logical line, continuations joined
  std::vector<std::string> flags; ///< builder flags ("--from=x"), flag quotes removed
  /// The arguments by the keyword's rule (BuildKit's Node.Next chain). For
  /// HEALTHCHECK the first is the type word (CMD, NONE). ENV and LABEL give
  /// triples key, value, separator ("=" or "" for the legacy form).
  std::vector<std::string> args;
  std::vector<Node> sub;             ///< ONBUILD: the nested instruction (one element)
  bool json_form = false;            ///< arguments came from a JSON array
  std::vector<Heredoc> heredocs;     ///< in the order of their markers
  int start_line = 0;                ///< 1-based line of the keyword
  int end_line = 0;                  ///< last line consumed, heredoc bodies included
  int column = 1;                    ///< 1-based byte column of the keyword
  std::vector<std::string> comments; ///< comment lines right before it, without '#'
};

/// A parser directive from the top of the file (`# syntax=...`).
struct Directive {
  std::string name; ///< lower-cased: "syntax", "escape" or "check"
  std::string value;
  int line = 0;
};

/// A whole Dockerfile.
struct Ast {
  std::vector<Node> children;
  std::vector<Directive> directives;
  char escape = '\\'; ///< the escape token in effect ('\\' or '`')
  int start_line = 0; ///< first instruction's start (0 when empty)
  int end_line = 0;   ///< last instruction's end

  /// The directive `name` ("syntax", "check"), if present.
  std::optional<std::string> directive(std::string_view name) const;
};

/// What parse() returns: the AST, plus every error and warning found. When
/// has_errors(diagnostics) the AST holds the instructions that parsed.
struct ParseResult {
  Ast ast;
  std::vector<core::Diagnostic> diagnostics;

  bool ok() const { return !core::has_errors(diagnostics); }
};

/// The instruction in BuildKit's dump format, without the parentheses:
/// `run "echo hi"`, `copy ["--from=a"] "x" "/y"`, `onbuild (run "x")`.
std::string dump(const Node& node);

/// The whole AST in BuildKit's dump format: one `(...)` line per instruction,
/// each ending in a newline (this is the text of testfiles' `result`).
std::string dump(const Ast& ast);

} // namespace dockerfile
