#pragma once

#include "analyzer/secrets/rule.h"

#include <string>
#include <vector>

namespace secrets {

/// cscan's own rule set, written from each credential's documented format:
/// cloud keys, service tokens, private keys, URLs with passwords, generic
/// assignments, sensitive file paths and image-config rules. Every rule has a
/// severity, a fix and an example/non-example template (see example.h).
RuleSpec builtin_rules();

/// Rule tags that limit a rule to one kind of non-file text (FileScanner::begin_text's scope).
inline constexpr const char* k_scope_env = "scope:env";             ///< Env entries, Labels
inline constexpr const char* k_scope_build_arg = "scope:build-arg"; ///< `|N K=V` in history

namespace builtin {
// One function per family, each appending to `rules`; builtin_rules() calls them all.
void add_cloud_rules(std::vector<Rule>& rules);
void add_service_rules(std::vector<Rule>& rules);
void add_key_rules(std::vector<Rule>& rules);
void add_path_rules(std::vector<Rule>& rules);
void add_config_rules(std::vector<Rule>& rules);

/// Shared fix texts.
extern const char* const k_fix_token;
extern const char* const k_fix_key;
extern const char* const k_fix_file;
extern const char* const k_fix_url;
extern const char* const k_fix_env;
extern const char* const k_fix_build_arg;

/// An allowlist of secret-target regexes.
Allowlist allow_regexes(std::string description, std::vector<std::string> regexes);

/// A content rule with the common fields; callers adjust the rest.
Rule token_rule(std::string id, std::string kind, Severity severity, std::string description,
                std::string regex, std::vector<std::string> keywords, std::string example,
                std::string non_example, double entropy = 0);
} // namespace builtin

} // namespace secrets
