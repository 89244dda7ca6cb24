#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// The shell glob patterns of ${VAR#p}, ${VAR%p} and ${VAR/p/r}, with
/// BuildKit's semantics: `*` and `?` (neither matches a newline), `\*`, `\?`
/// and `\\` as literals, `\}` and `\/` as the bare character, no brackets.
/// Matching follows leftmost-first (backtracking) order, as Go's regexp does.
namespace dockerfile::shell_pattern {

struct Token {
  enum class Kind { literal, any_char, any_run } kind = Kind::literal;
  char32_t rune = 0; ///< for literal
};

/// Tokens of `pattern`, or nullopt with `error` set for a bad escape.
std::optional<std::vector<Token>> compile(std::string_view pattern, std::string& error);

/// ${VAR#pat} / ${VAR##pat}: `value` without its shortest (longest when
/// `greedy`) prefix matching the pattern; unchanged when none matches.
std::string trim_prefix(const std::vector<Token>& pattern, std::string_view value, bool greedy);

/// ${VAR%pat} / ${VAR%%pat}: the same for a suffix.
std::string trim_suffix(const std::vector<Token>& pattern, std::string_view value, bool greedy);

/// ${VAR/pat/rep}: replaces the first match (greedy stars) with `replacement`
/// taken literally.
std::string replace_first(const std::vector<Token>& pattern, std::string_view value,
                          std::string_view replacement);

/// ${VAR//pat/rep}: replaces every non-overlapping match. Like BuildKit (Go's
/// Regexp.ReplaceAllString), `$0`/`${0}` in the replacement insert the match,
/// other `$name` references insert nothing and `$$` inserts `$`.
std::string replace_all(const std::vector<Token>& pattern, std::string_view value,
                        std::string_view replacement);

} // namespace dockerfile::shell_pattern
