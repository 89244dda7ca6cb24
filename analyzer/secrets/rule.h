#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace secrets {

/// How bad a leak of this kind is. Ordered: a threshold compares with <.
enum class Severity { info, low, medium, high, critical };

/// "info", "low", "medium", "high", "critical".
std::string_view severity_name(Severity severity);
/// Parses a severity name (case-insensitive); nullopt for anything else.
std::optional<Severity> parse_severity(std::string_view text);

/// What an allowlist regex is tested against (gitleaks' `regexTarget`).
enum class AllowlistTarget { secret, match, line };

/// Whether one populated criterion is enough (`OR`, gitleaks' default) or all must hold.
enum class AllowlistCondition { any, all };

/// A gitleaks allowlist: a finding it matches is dropped. Regexes are RE2 text.
struct Allowlist {
  std::string description{};
  AllowlistCondition condition = AllowlistCondition::any;
  AllowlistTarget regex_target = AllowlistTarget::secret;
  std::vector<std::string> paths{};        ///< regexes on the file path
  std::vector<std::string> regexes{};      ///< regexes on regex_target
  std::vector<std::string> stopwords{};    ///< substrings of the lower-cased secret
  std::vector<std::string> target_rules{}; ///< global allowlists only: rule ids it applies to
};

/// gitleaks' `[[rules.required]]` (composite rules): another rule that must
/// also match in the same file or text for the owning rule's finding to count.
struct RequiredRule {
  std::string id{};
  int within_lines = -1;   ///< at most this many lines apart; -1: anywhere
  int within_columns = -1; ///< at most this many columns apart; -1: anywhere
};

/// Where a rule came from; decides how its severity was chosen.
enum class RuleOrigin { builtin, rule_file };

/// One detection rule, in gitleaks' model plus the fields cscan reports.
/// A rule has a `regex` (content), a `path` (file path), or both: with both,
/// the path must match before the content is searched; with only `path`, the
/// file's presence is the finding.
struct Rule {
  std::string id{};          ///< unique, e.g. "github-pat"
  std::string description{}; ///< one line, says what was found
  std::string kind{};        ///< credential family for docs and counts, e.g. "GitHub"
  Severity severity = Severity::high;
  std::string regex{};  ///< RE2 syntax (Go RE2 dialect, as gitleaks)
  std::string path{};   ///< RE2 on the path inside the layer, no leading '/'
  int secret_group = 0; ///< capture group holding the secret; 0: first non-empty group
  double entropy = 0;   ///< minimum Shannon entropy of the secret (exclusive); 0: none
  std::vector<std::string> keywords{}; ///< any one (case-insensitive) must occur for regex to run
  std::vector<std::string> tags{};
  std::vector<Allowlist> allowlists{};
  std::vector<RequiredRule> required{}; ///< composite: all must match too
  bool skip_report = false;             ///< only a part of composites: never reported alone
  std::string fix{};                    ///< what to do instead, one or two sentences
  std::string example{};     ///< built-in rules: a template that must match (see example.h)
  std::string non_example{}; ///< built-in rules: a template that must not match
  RuleOrigin origin = RuleOrigin::builtin;
};

/// A whole rule set before compilation: rules plus global allowlists.
struct RuleSpec {
  std::string title{};
  std::vector<Rule> rules{};
  std::vector<Allowlist> allowlists{};
};

/// A rule (or allowlist) that could not be loaded or compiled, and why.
struct RuleProblem {
  std::string rule_id{}; ///< empty for a file-level problem
  std::string message{};
};

} // namespace secrets
