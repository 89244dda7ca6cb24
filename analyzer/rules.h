#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace analyzer {

/// How bad a finding is; ordered so `>=` compares badness.
enum class Severity { info, low, medium, high, critical };

/// "info", "low", "medium", "high", "critical".
std::string_view to_string(Severity severity);
/// Parses the names above (case-insensitive); nullopt for anything else.
std::optional<Severity> parse_severity(std::string_view text);

/// A named check (STYLE.md, "name each finding"). Ids are stable: baselines,
/// policies and SARIF uploads refer to them.
struct Rule {
  std::string_view id;          ///< "config/root-user"
  std::string_view name;        ///< "RootUser" (SARIF rule name)
  std::string_view description; ///< one line
  Severity severity;            ///< default severity
  std::string_view fix;         ///< what to do, one or two sentences
  std::string_view category;    ///< "efficiency", "security" or "hygiene"
};

/// Every rule cscan knows, in documentation order.
std::span<const Rule> all_rules();

/// The rule with `id`, or nullptr.
const Rule* find_rule(std::string_view id);

/// A rule known only at run time: each rule of the secret scanner (built-in
/// or from `--rules FILE`) is reported as its own rule "secret/<engine id>".
/// Owns its text, unlike Rule.
struct DynamicRule {
  std::string id;          ///< "secret/github-pat"
  std::string name;        ///< "SecretGithubPat" (SARIF rule name)
  std::string description; ///< one line, from the engine rule
  Severity severity = Severity::high;
  std::string fix;               ///< the rule's own fix text
  std::string kind;              ///< credential family, "GitHub"
  std::vector<std::string> tags; ///< SARIF tags besides "security"
};

/// Secret findings only: where the secret lives and what it looks like.
struct SecretDetail {
  std::string engine_rule;  ///< the engine's rule id, "github-pat"
  std::string kind;         ///< credential family, "GitHub"
  std::string origin;       ///< "file", "config" or "history"
  std::string layer_digest; ///< the layer holding it (files; history entries that made a layer)
  std::string created_by;   ///< that layer's or history entry's instruction
  std::size_t line = 0;     ///< 1-based; 0 for path-only findings and binary files
  std::size_t column = 0;   ///< 1-based byte column; 0 when line is 0
  bool in_binary = false;   ///< found in the printable strings of a binary file
  std::string field;        ///< config: "Env", "Labels", "Cmd", ...; history: "history"
  std::string key;          ///< the variable, label or build-arg name
  int history_index = -1;   ///< history: 0-based entry
  /// Files: "present" (in the final file system), "deleted" or "overwritten"
  /// (only in earlier layers, which still ship it). Empty for config/history.
  std::string presence;
  std::optional<std::uint32_t> removed_in_layer; ///< deleted/overwritten: by which layer
  std::string removed_by;                        ///< that layer's instruction
  std::vector<std::uint32_t> shipped_in;         ///< files: every layer holding a copy
  std::string match;    ///< the match, secret masked (raw with --show-secrets)
  bool shown = false;   ///< `match` is the raw text (--show-secrets)
  double entropy = 0;   ///< Shannon entropy of the secret, bits per byte
  std::string encoding; ///< "base64" when the secret was found by decoding, else empty
};

/// One finding of a rule. Reports print `message` then `advice`.
struct Finding {
  std::string rule_id;
  Severity severity = Severity::info;
  std::string message;                ///< one sentence naming the path/layer/bytes
  std::string advice;                 ///< a concrete fix for this case
  std::optional<std::uint32_t> layer; ///< the layer that caused it, when known
  std::string path;                   ///< in-image path ("/etc/shadow") or "config:User"
  std::uint64_t bytes = 0;            ///< bytes involved (efficiency findings)
  /// Stable identity across rebuilds: hash of rule id and subject, not of
  /// layer digests. Baselines store these.
  std::string fingerprint;
  bool baselined = false;             ///< accepted by the baseline: reported, never fails the gate
  std::optional<SecretDetail> secret; ///< set for "secret/..." findings
};

/// Computes `finding.fingerprint` from the rule id and `subject`.
void set_fingerprint(Finding& finding, std::string_view subject);

} // namespace analyzer
