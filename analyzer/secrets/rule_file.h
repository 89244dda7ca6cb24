#pragma once

#include "analyzer/secrets/rule.h"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace secrets {

/// A rule file in gitleaks' TOML format, as read (not yet merged or compiled).
/// Keys cscan adds to gitleaks' format, all optional: `severity`, `fix`,
/// `kind` on a rule.
struct RuleFile {
  RuleSpec spec;               ///< its rules (origin rule_file) and global allowlists
  bool extend_default = false; ///< [extend] useDefault = true: builds on the built-in set
  std::string extend_path;     ///< [extend] path, relative paths resolved against the file's folder
  std::vector<std::string> disabled_rules; ///< [extend] disabledRules
  std::vector<RuleProblem> problems;       ///< rules left out (no id, bad field types)
};

/// Parses rule-file text. `name` appears in messages. Throws core::InputError
/// ("rules 'name': line 3: ...") when the TOML itself is malformed.
RuleFile parse_rule_file(std::string_view text, std::string_view name);

/// Reads and parses a rule file; throws core::Error if it cannot be read.
RuleFile read_rule_file(const std::filesystem::path& path);

/// How `--rules FILE` combines with the built-in set.
enum class RuleFileMode {
  as_file_says, ///< gitleaks' semantics: [extend] useDefault adds to built-ins, else replaces
  add,          ///< always on top of the built-in rules
  replace,      ///< the file's rules only (plus its own [extend] path)
};

/// Loads `path` and resolves it against `builtin`: follows `[extend] path`
/// (at most two levels, like gitleaks), applies `disabledRules`, and merges
/// rules with equal ids field by field (the extending file wins where it sets
/// a field; keywords, tags and allowlists are appended). Non-fatal problems
/// go to `problems`.
RuleSpec resolve_rule_file(const std::filesystem::path& path, const RuleSpec& builtin,
                           RuleFileMode mode, std::vector<RuleProblem>& problems);

/// Merges `overlay` onto `base` as gitleaks' [extend] does (see above).
void merge_rules(RuleSpec& base, const RuleSpec& overlay);

/// The severity given to a rule from a gitleaks file, which has none (a
/// `severity` key in the file wins). First match in this order:
///   critical  id contains "private-key", or starts with "aws-" (cloud root credentials)
///   low       id ends in "-id" or contains "public-key": identifiers, not secrets alone
///   medium    id contains "generic", or the rule is path-only (presence of a file)
///   high      everything else: service tokens and API keys
Severity gitleaks_severity(const Rule& rule);

} // namespace secrets
