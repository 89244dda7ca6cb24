#include "analyzer/policy.h"

#include "core/error.h"
#include "core/stream.h"

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

namespace analyzer {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_disabled_word(std::string_view value) {
  std::string word = lower(value);
  return word.empty() || word == "disabled" || word == "off" || word == "false";
}

[[noreturn]] void bad_value(std::string_view file, std::string_view key, std::string_view value,
                            std::string_view expected) {
  throw core::InputError("policy '" + std::string(file) + "': key '" + std::string(key) +
                         "': invalid value '" + std::string(value) + "' (" + std::string(expected) +
                         ")");
}

std::optional<double> ratio_value(std::string_view file, std::string_view key,
                                  const std::string& text) {
  if (is_disabled_word(text))
    return std::nullopt;
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !(value >= 0.0 && value <= 1.0))
    bad_value(file, key, text, "a number between 0 and 1");
  return value;
}

std::optional<std::uint64_t> bytes_value(std::string_view file, std::string_view key,
                                         const std::string& text) {
  if (is_disabled_word(text))
    return std::nullopt;
  std::optional<std::uint64_t> bytes = parse_bytes(text);
  if (!bytes)
    bad_value(file, key, text, "a size such as 20MB or 1GiB");
  return bytes;
}

void read_key(Policy& policy, std::string_view file, const std::string& key,
              const YAML::Node& value) {
  auto text = [&] { return value.IsScalar() ? value.as<std::string>() : std::string(); };
  if (key == "lowestEfficiency" || key == "lowest-efficiency")
    policy.lowest_efficiency = ratio_value(file, key, text());
  else if (key == "highestWastedBytes" || key == "highest-wasted-bytes")
    policy.highest_wasted_bytes = bytes_value(file, key, text());
  else if (key == "highestUserWastedPercent" || key == "highest-user-wasted-percent")
    policy.highest_user_wasted_percent = ratio_value(file, key, text());
  else if (key == "lowestCorrectedEfficiency")
    policy.lowest_corrected_efficiency = ratio_value(file, key, text());
  else if (key == "maxImageSize")
    policy.max_image_size = bytes_value(file, key, text());
  else if (key == "maxReclaimableBytes")
    policy.max_reclaimable_bytes = bytes_value(file, key, text());
  else if (key == "failOn") {
    if (is_disabled_word(text()) || lower(text()) == "never")
      policy.fail_on.reset();
    else if (auto severity = parse_severity(text()))
      policy.fail_on = severity;
    else
      bad_value(file, key, text(), "info, low, medium, high, critical or never");
  } else if (key == "disable") {
    if (!value.IsSequence())
      bad_value(file, key, text(), "a list of rule ids");
    for (const YAML::Node& item : value) {
      std::string id = item.as<std::string>();
      // Secret rules ("secret/<id>") are only known once the scanner's rules
      // are loaded; the command line checks them then.
      if (find_rule(id) == nullptr && !id.starts_with("secret/"))
        bad_value(file, key, id, "a rule id; see `cscan rules`");
      policy.disabled_rules.insert(id);
    }
  } else if (key != "rules") {
    throw core::InputError("policy '" + std::string(file) + "': unknown key '" + key + "'");
  }
}

std::string percent(double ratio) {
  if (std::isnan(ratio))
    return "n/a";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f %%", ratio * 100.0);
  return buffer;
}

} // namespace

std::optional<std::uint64_t> parse_bytes(std::string_view text) {
  std::string s = lower(text);
  s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
  std::size_t digits = 0;
  while (digits < s.size() &&
         (std::isdigit(static_cast<unsigned char>(s[digits])) || s[digits] == '.'))
    ++digits;
  if (digits == 0)
    return std::nullopt;
  double number = std::strtod(s.substr(0, digits).c_str(), nullptr);
  std::string unit = s.substr(digits);
  static const char* const k_prefixes = "kmgtpe";
  double multiplier = 1;
  if (!unit.empty() && unit != "b") {
    const char* found = std::strchr(k_prefixes, unit[0]);
    if (found == nullptr)
      return std::nullopt;
    std::string rest = unit.substr(1);
    double base = 1000;
    if (rest == "ib" || rest == "i")
      base = 1024;
    else if (!(rest.empty() || rest == "b"))
      return std::nullopt;
    multiplier = std::pow(base, static_cast<double>(found - k_prefixes + 1));
  }
  double bytes = number * multiplier;
  if (!(bytes >= 0) || bytes > 1.8e19)
    return std::nullopt;
  return static_cast<std::uint64_t>(bytes);
}

Policy parse_policy(std::string_view yaml, std::string_view name) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    throw core::InputError("policy '" + std::string(name) + "': " + e.what());
  }
  Policy policy;
  if (root.IsNull())
    return policy;
  if (!root.IsMap())
    throw core::InputError("policy '" + std::string(name) + "': expected a mapping");
  try {
    for (const auto& item : root)
      read_key(policy, name, item.first.as<std::string>(), item.second);
    if (root["rules"] && root["rules"].IsMap()) {
      for (const auto& item : root["rules"])
        read_key(policy, name, item.first.as<std::string>(), item.second);
    }
  } catch (const YAML::Exception& e) {
    throw core::InputError("policy '" + std::string(name) + "': " + e.what());
  }
  return policy;
}

Policy load_policy(const std::filesystem::path& file) {
  core::FdInputStream in = core::FdInputStream::open(file);
  return parse_policy(core::read_all(in, file.string(), 1 << 20), file.string());
}

bool GateResult::passed() const {
  return std::all_of(checks.begin(), checks.end(), [](const GateCheck& c) { return c.passed; });
}

Baseline load_baseline(const std::filesystem::path& file) {
  core::FdInputStream in = core::FdInputStream::open(file);
  std::string text = core::read_all(in, file.string(), 16 << 20);
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("findings") ||
      !doc["findings"].is_array())
    throw core::InputError("baseline '" + file.string() +
                           "': expected {\"version\": 1, \"findings\": [...]}");
  Baseline baseline;
  for (const auto& item : doc["findings"]) {
    if (!item.is_object() || !item.contains("fingerprint") || !item["fingerprint"].is_string())
      throw core::InputError("baseline '" + file.string() + "': finding without a fingerprint");
    baseline.fingerprints.insert(item["fingerprint"].get<std::string>());
  }
  return baseline;
}

std::string baseline_json(const std::vector<Finding>& findings) {
  nlohmann::json list = nlohmann::json::array();
  std::set<std::string> seen;
  for (const Finding& finding : findings) {
    if (!seen.insert(finding.fingerprint).second)
      continue;
    list.push_back({{"fingerprint", finding.fingerprint},
                    {"ruleId", finding.rule_id},
                    {"path", finding.path},
                    {"message", finding.message}});
  }
  return nlohmann::json{{"version", 1}, {"findings", list}}.dump(2) + "\n";
}

void apply_policy_filters(const Policy& policy, const Baseline* baseline,
                          std::vector<Finding>& findings) {
  std::erase_if(findings,
                [&](const Finding& f) { return policy.disabled_rules.count(f.rule_id) != 0; });
  if (baseline == nullptr)
    return;
  for (Finding& finding : findings)
    finding.baselined = baseline->fingerprints.count(finding.fingerprint) != 0;
}

GateResult evaluate_gate(const Policy& policy, const Analysis& analysis) {
  GateResult gate;
  const DiveEfficiency& dive = analysis.dive;
  if (policy.lowest_efficiency)
    gate.checks.push_back({"lowestEfficiency", percent(*policy.lowest_efficiency),
                           percent(dive.efficiency),
                           !(*policy.lowest_efficiency > dive.efficiency)});
  if (policy.highest_wasted_bytes)
    gate.checks.push_back(
        {"highestWastedBytes", human_bytes(*policy.highest_wasted_bytes),
         human_bytes(static_cast<std::uint64_t>(std::max<std::int64_t>(0, dive.wasted_bytes))),
         !(dive.wasted_bytes > static_cast<std::int64_t>(*policy.highest_wasted_bytes))});
  if (policy.highest_user_wasted_percent)
    // dive passes a NaN ratio (a one-layer image) because NaN > x is false;
    // we pass it only when nothing was wasted at all.
    gate.checks.push_back(
        {"highestUserWastedPercent", percent(*policy.highest_user_wasted_percent),
         percent(dive.user_wasted_percent),
         std::isnan(dive.user_wasted_percent)
             ? dive.wasted_bytes == 0
             : !(dive.user_wasted_percent > *policy.highest_user_wasted_percent)});
  if (policy.lowest_corrected_efficiency)
    gate.checks.push_back({"lowestCorrectedEfficiency",
                           percent(*policy.lowest_corrected_efficiency),
                           percent(analysis.waste.efficiency),
                           !(*policy.lowest_corrected_efficiency > analysis.waste.efficiency)});
  if (policy.max_image_size)
    gate.checks.push_back({"maxImageSize", human_bytes(*policy.max_image_size),
                           human_bytes(analysis.waste.image_size),
                           analysis.waste.image_size <= *policy.max_image_size});
  if (policy.max_reclaimable_bytes)
    gate.checks.push_back({"maxReclaimableBytes", human_bytes(*policy.max_reclaimable_bytes),
                           human_bytes(analysis.waste.reclaimable),
                           analysis.waste.reclaimable <= *policy.max_reclaimable_bytes});
  for (const Finding& finding : analysis.findings) {
    if (finding.baselined)
      ++gate.baselined_findings;
    else if (policy.fail_on && finding.severity >= *policy.fail_on)
      ++gate.failing_findings;
  }
  if (policy.fail_on)
    gate.checks.push_back({"failOn", std::string(to_string(*policy.fail_on)),
                           std::to_string(gate.failing_findings) + " finding(s)",
                           gate.failing_findings == 0});
  return gate;
}

} // namespace analyzer
