#pragma once

#include "dockerfile-parser/env.h"

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace dockerfile {

/// How ShellLex treats quotes, escapes and unset variables. All off is the
/// mode Docker uses to expand instruction arguments.
struct ShellLexOptions {
  char32_t escape = '\\';           ///< the escape token: '\\' or '`' (# escape=)
  bool raw_quotes = false;          ///< keep quote characters in the output
  bool raw_escapes = false;         ///< keep escape tokens in the output
  bool keep_unset = false;          ///< leave $UNSET / ${UNSET...} as written
  bool no_quote_processing = false; ///< treat ' and " as ordinary characters
};

/// The outcome of one expansion. On failure `ok` is false, `error` says why
/// and the other fields are unspecified.
struct ExpandResult {
  bool ok = true;
  std::string error; ///< e.g. "failed to process \"${X:?}\": X: is not allowed to be unset"
  std::string word;  ///< single-string result (expand_word)
  std::vector<std::string> words; ///< word-split result (expand_words)
  std::set<std::string> used;     ///< variable names referenced and set
  std::set<std::string> unset;    ///< variable names referenced but not set
};

/// BuildKit's shell lexer: quote removal, escapes, and $VAR / ${VAR...}
/// expansion with the operators :- - :+ + :? ? # ## % %% / //, plus optional
/// word splitting. It never throws for bad input; failures come back in
/// ExpandResult. Stateless between calls and safe to share between threads.
class ShellLex {
public:
  explicit ShellLex(ShellLexOptions options = {}) : m_options(options) {}

  /// Expands `word` to one string; whitespace is kept (ENV, LABEL, COPY ...).
  ExpandResult expand_word(std::string_view word, const Env& env) const;

  /// Expands `word` and splits the result into words at unquoted white space,
  /// after expansion (EXPOSE, heredoc markers).
  ExpandResult expand_words(std::string_view word, const Env& env) const;

  const ShellLexOptions& options() const { return m_options; }

private:
  ExpandResult process(std::string_view word, const Env& env) const;

  ShellLexOptions m_options;
};

} // namespace dockerfile
