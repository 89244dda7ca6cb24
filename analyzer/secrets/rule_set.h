#pragma once

#include "analyzer/secrets/keyword_matcher.h"
#include "analyzer/secrets/rule.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace secrets {

/// An allowlist with its regexes compiled.
struct CompiledAllowlist {
  Allowlist spec;
  std::vector<std::unique_ptr<const re2::RE2>> paths;
  std::vector<std::unique_ptr<const re2::RE2>> regexes;
  std::vector<std::string> stopwords; ///< lower-cased

  bool has_content_criteria() const { return !regexes.empty() || !stopwords.empty(); }
  /// True if any path regex matches.
  bool matches_path(std::string_view path) const;
  /// True if any regex matches `target`.
  bool matches_regex(std::string_view target) const;
  /// True if the lower-cased secret contains any stopword.
  bool matches_stopword(std::string_view secret) const;
  /// The whole decision for one candidate finding (condition OR / AND).
  bool allows(std::string_view path, std::string_view secret, std::string_view match,
              std::string_view line) const;
};

/// One rule with its regexes compiled.
struct CompiledRule {
  Rule spec;
  std::unique_ptr<const re2::RE2> regex; ///< null for path-only rules
  std::unique_ptr<const re2::RE2> path;  ///< null when the rule has no path filter
  std::vector<CompiledAllowlist> allowlists;
  bool generic = false; ///< id contains "generic": yields to specific rules on the same line
  std::string scope;    ///< from a "scope:X" tag: runs only on texts of scope X, never on files
  /// The regex is built to span lines ([\s\S], (?s), \n): it runs over the
  /// whole window. Other rules run only on the lines around their keywords.
  bool multiline = false;

  bool is_path_only() const { return regex == nullptr; }
};

/// A compiled, immutable rule set. Build it once (compile()), share it as
/// std::shared_ptr<const RuleSet> between all scanning threads: RE2 objects
/// are safe for concurrent matching, and nothing here is mutated after compile.
class RuleSet {
public:
  /// Compiles every rule. A rule whose regex, path or allowlist fails to
  /// compile under RE2 (or whose secretGroup exceeds its groups) is left out
  /// and reported in `problems` with RE2's reason.
  static std::shared_ptr<const RuleSet> compile(const RuleSpec& spec,
                                                std::vector<RuleProblem>& problems);

  const std::vector<CompiledRule>& rules() const noexcept { return m_rules; }
  const std::vector<CompiledAllowlist>& allowlists() const noexcept { return m_allowlists; }
  const KeywordMatcher& keywords() const noexcept { return m_keywords; }
  /// For keyword k, the rules that list it.
  const std::vector<std::uint32_t>& rules_for_keyword(size_t k) const { return m_keyword_rules[k]; }
  /// Content rules without keywords: they run on every file their path allows.
  const std::vector<std::uint32_t>& keywordless_rules() const noexcept { return m_keywordless; }
  /// Index of a rule by id, or -1.
  int find(std::string_view id) const;

private:
  std::vector<CompiledRule> m_rules;
  std::vector<CompiledAllowlist> m_allowlists;
  KeywordMatcher m_keywords;
  std::vector<std::vector<std::uint32_t>> m_keyword_rules;
  std::vector<std::uint32_t> m_keywordless;
};

/// Compiles one regex the way rules are compiled (Go RE2 dialect, bytes not
/// UTF-8 when the pattern is ASCII, a generous memory budget). Returns null
/// and sets `error` when RE2 rejects it.
std::unique_ptr<const re2::RE2> compile_regex(const std::string& pattern, std::string& error);

} // namespace secrets
