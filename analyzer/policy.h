#pragma once

#include "analyzer/analysis.h"
#include "analyzer/rules.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace analyzer {

/// What makes `cscan` exit 1. Unset thresholds are not checked.
struct Policy {
  // dive's CI keys, compared as dive compares them (strictly).
  std::optional<double> lowest_efficiency;           ///< fail if dive efficiency < this
  std::optional<std::uint64_t> highest_wasted_bytes; ///< fail if dive wasted bytes > this
  std::optional<double> highest_user_wasted_percent; ///< ratio; fail if > this
  // Our own.
  std::optional<Severity> fail_on = Severity::high; ///< findings at or above fail; unset = never
  std::set<std::string> disabled_rules;
  std::optional<std::uint64_t> max_image_size;        ///< fail if image size > this
  std::optional<std::uint64_t> max_reclaimable_bytes; ///< fail if corrected waste > this
  std::optional<double> lowest_corrected_efficiency;  ///< fail if corrected efficiency < this
};

/// Reads a policy file (YAML). Accepts dive's `.dive-ci` form (a `rules:` map
/// with lowestEfficiency, highestWastedBytes, highestUserWastedPercent) and
/// our keys (failOn, disable, maxImageSize, maxReclaimableBytes,
/// lowestCorrectedEfficiency) at the top level or under `rules:`. Values of
/// "disabled", "off", "false" or "" turn a check off, as in dive. Throws
/// core::InputError naming the file and key on bad values.
Policy load_policy(const std::filesystem::path& file);

/// Parses a policy from YAML text; `name` is used in errors.
Policy parse_policy(std::string_view yaml, std::string_view name);

/// "20MB", "19Mb", "1 GiB", "1024" -> bytes (go-humanize's rules: k/M/G/T are
/// powers of 1000, Ki/Mi/Gi/Ti of 1024, case-insensitive). nullopt when invalid.
std::optional<std::uint64_t> parse_bytes(std::string_view text);

/// One threshold of the gate and how the image fared.
struct GateCheck {
  std::string name;      ///< "lowestEfficiency", "failOn", ...
  std::string threshold; ///< as configured, printable
  std::string actual;    ///< the image's value, printable
  bool passed = true;
};

/// The gate's verdict.
struct GateResult {
  std::vector<GateCheck> checks;
  std::size_t failing_findings = 0;   ///< at or above failOn and not baselined
  std::size_t baselined_findings = 0; ///< matched the baseline
  bool passed() const;
};

/// Accepted finding fingerprints (`--baseline`).
struct Baseline {
  std::set<std::string> fingerprints;
};

/// Reads a baseline file (JSON, docs/json-schema.md). Throws core::InputError.
Baseline load_baseline(const std::filesystem::path& file);
/// The baseline JSON accepting every finding in `findings`.
std::string baseline_json(const std::vector<Finding>& findings);

/// Removes findings of disabled rules and marks baselined ones (Finding::baselined).
void apply_policy_filters(const Policy& policy, const Baseline* baseline,
                          std::vector<Finding>& findings);

/// Evaluates every configured threshold against the analysis.
GateResult evaluate_gate(const Policy& policy, const Analysis& analysis);

} // namespace analyzer
