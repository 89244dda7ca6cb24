#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

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
  bool baselined = false; ///< accepted by the baseline: reported, never fails the gate
};

/// Computes `finding.fingerprint` from the rule id and `subject`.
void set_fingerprint(Finding& finding, std::string_view subject);

} // namespace analyzer
