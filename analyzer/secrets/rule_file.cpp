#include "analyzer/secrets/rule_file.h"

#include "core/error.h"

#include <toml.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace secrets {

namespace {

using TomlValue = toml::value;

/// Reads an optional string key; a wrong type is reported, not thrown.
std::string get_string(const TomlValue& table, const char* key) {
  if (!table.contains(key)) {
    return {};
  }
  const auto& value = table.at(key);
  if (!value.is_string()) {
    throw core::InputError(std::string("'") + key + "' must be a string");
  }
  return value.as_string().str;
}

std::vector<std::string> get_strings(const TomlValue& table, const char* key) {
  std::vector<std::string> out;
  if (!table.contains(key)) {
    return out;
  }
  const auto& value = table.at(key);
  if (!value.is_array()) {
    throw core::InputError(std::string("'") + key + "' must be an array of strings");
  }
  for (const auto& item : value.as_array()) {
    if (!item.is_string()) {
      throw core::InputError(std::string("'") + key + "' must be an array of strings");
    }
    out.push_back(item.as_string().str);
  }
  return out;
}

double get_number(const TomlValue& table, const char* key) {
  if (!table.contains(key)) {
    return 0;
  }
  const auto& value = table.at(key);
  if (value.is_floating()) {
    return value.as_floating();
  }
  if (value.is_integer()) {
    return static_cast<double>(value.as_integer());
  }
  throw core::InputError(std::string("'") + key + "' must be a number");
}

bool get_bool(const TomlValue& table, const char* key) {
  if (!table.contains(key)) {
    return false;
  }
  const auto& value = table.at(key);
  if (!value.is_boolean()) {
    throw core::InputError(std::string("'") + key + "' must be true or false");
  }
  return value.as_boolean();
}

Allowlist parse_allowlist(const TomlValue& table) {
  Allowlist out;
  out.description = get_string(table, "description");
  std::string condition = get_string(table, "condition");
  std::transform(condition.begin(), condition.end(), condition.begin(), ::toupper);
  if (condition == "AND" || condition == "&&") {
    out.condition = AllowlistCondition::all;
  } else if (!condition.empty() && condition != "OR" && condition != "||") {
    throw core::InputError("allowlist condition must be OR or AND, not '" + condition + "'");
  }
  std::string target = get_string(table, "regexTarget");
  if (target == "match") {
    out.regex_target = AllowlistTarget::match;
  } else if (target == "line") {
    out.regex_target = AllowlistTarget::line;
  } else if (!target.empty() && target != "secret") {
    throw core::InputError("allowlist regexTarget must be secret, match or line, not '" + target +
                           "'");
  }
  out.paths = get_strings(table, "paths");
  out.regexes = get_strings(table, "regexes");
  out.stopwords = get_strings(table, "stopwords");
  out.target_rules = get_strings(table, "targetRules");
  // `commits` only means something for git history; an image has none.
  return out;
}

/// Both spellings: [[x.allowlists]] (array) and the deprecated [x.allowlist] (table).
std::vector<Allowlist> parse_allowlists(const TomlValue& table) {
  std::vector<Allowlist> out;
  if (table.contains("allowlists")) {
    for (const auto& item : table.at("allowlists").as_array()) {
      out.push_back(parse_allowlist(item));
    }
  }
  if (table.contains("allowlist")) {
    out.push_back(parse_allowlist(table.at("allowlist")));
  }
  return out;
}

Rule parse_rule(const TomlValue& table) {
  Rule rule;
  rule.origin = RuleOrigin::rule_file;
  rule.id = get_string(table, "id");
  if (rule.id.empty()) {
    throw core::InputError("rule without an id");
  }
  rule.description = get_string(table, "description");
  rule.regex = get_string(table, "regex");
  rule.path = get_string(table, "path");
  rule.secret_group = static_cast<int>(get_number(table, "secretGroup"));
  rule.entropy = get_number(table, "entropy");
  rule.keywords = get_strings(table, "keywords");
  rule.tags = get_strings(table, "tags");
  rule.allowlists = parse_allowlists(table);
  rule.fix = get_string(table, "fix");
  rule.kind = get_string(table, "kind");
  std::string severity = get_string(table, "severity");
  if (!severity.empty()) {
    auto parsed = parse_severity(severity);
    if (!parsed) {
      throw core::InputError("unknown severity '" + severity + "'");
    }
    rule.severity = *parsed;
  } else {
    rule.severity = gitleaks_severity(rule);
  }
  if (get_bool(table, "skipReport")) {
    rule.skip_report = true;
    rule.tags.push_back("skip-report");
  }
  if (table.contains("required")) {
    for (const auto& item : table.at("required").as_array()) {
      RequiredRule required;
      required.id = get_string(item, "id");
      if (required.id.empty())
        throw core::InputError("[[rules.required]] without an id");
      if (item.contains("withinLines"))
        required.within_lines = static_cast<int>(get_number(item, "withinLines"));
      if (item.contains("withinColumns"))
        required.within_columns = static_cast<int>(get_number(item, "withinColumns"));
      rule.required.push_back(std::move(required));
    }
  }
  return rule;
}

TomlValue parse_toml(std::string_view text, std::string_view name) {
  std::istringstream stream{std::string(text)};
  try {
    return toml::parse(stream, std::string(name));
  } catch (const std::exception& e) {
    throw core::InputError("rules '" + std::string(name) + "': " + e.what());
  }
}

} // namespace

Severity gitleaks_severity(const Rule& rule) {
  const std::string& id = rule.id;
  auto ends_with = [&](std::string_view s) {
    return id.size() >= s.size() && id.compare(id.size() - s.size(), s.size(), s) == 0;
  };
  if (id.find("private-key") != std::string::npos || id.rfind("aws-", 0) == 0) {
    return Severity::critical;
  }
  if (ends_with("-id") || id.find("public-key") != std::string::npos) {
    return Severity::low;
  }
  if (id.find("generic") != std::string::npos || rule.regex.empty()) {
    return Severity::medium;
  }
  return Severity::high;
}

RuleFile parse_rule_file(std::string_view text, std::string_view name) {
  const TomlValue root = parse_toml(text, name);
  RuleFile file;
  try {
    file.spec.title = get_string(root, "title");
    if (root.contains("extend")) {
      const auto& extend = root.at("extend");
      file.extend_default = get_bool(extend, "useDefault");
      file.extend_path = get_string(extend, "path");
      file.disabled_rules = get_strings(extend, "disabledRules");
    }
    file.spec.allowlists = parse_allowlists(root);
  } catch (const core::Error& e) {
    throw core::InputError("rules '" + std::string(name) + "': " + e.message());
  }
  if (!root.contains("rules")) {
    return file;
  }
  std::set<std::string> seen;
  for (const auto& table : root.at("rules").as_array()) {
    try {
      Rule rule = parse_rule(table);
      if (!seen.insert(rule.id).second) {
        file.problems.push_back({rule.id, "duplicate rule id; the later one is ignored"});
        continue;
      }
      file.spec.rules.push_back(std::move(rule));
    } catch (const core::Error& e) {
      std::string id = table.contains("id") && table.at("id").is_string()
                           ? table.at("id").as_string().str
                           : std::string();
      file.problems.push_back({id, e.message()});
    }
  }
  return file;
}

RuleFile read_rule_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw core::Error("reading rules '" + path.string() + "': cannot open");
  }
  std::ostringstream text;
  text << in.rdbuf();
  RuleFile file = parse_rule_file(text.str(), path.string());
  if (!file.extend_path.empty() && std::filesystem::path(file.extend_path).is_relative()) {
    file.extend_path = (path.parent_path() / file.extend_path).string();
  }
  return file;
}

void merge_rules(RuleSpec& base, const RuleSpec& overlay) {
  for (const Rule& rule : overlay.rules) {
    auto it = std::find_if(base.rules.begin(), base.rules.end(),
                           [&](const Rule& r) { return r.id == rule.id; });
    if (it == base.rules.end()) {
      base.rules.push_back(rule);
      continue;
    }
    Rule& target = *it;
    if (!rule.description.empty())
      target.description = rule.description;
    if (!rule.regex.empty())
      target.regex = rule.regex;
    if (!rule.path.empty())
      target.path = rule.path;
    if (rule.secret_group != 0)
      target.secret_group = rule.secret_group;
    if (rule.entropy != 0)
      target.entropy = rule.entropy;
    if (!rule.fix.empty())
      target.fix = rule.fix;
    if (!rule.required.empty())
      target.required = rule.required;
    target.skip_report = target.skip_report || rule.skip_report;
    target.keywords.insert(target.keywords.end(), rule.keywords.begin(), rule.keywords.end());
    target.tags.insert(target.tags.end(), rule.tags.begin(), rule.tags.end());
    target.allowlists.insert(target.allowlists.end(), rule.allowlists.begin(),
                             rule.allowlists.end());
  }
  base.allowlists.insert(base.allowlists.end(), overlay.allowlists.begin(),
                         overlay.allowlists.end());
}

namespace {

RuleSpec resolve(const std::filesystem::path& path, const RuleSpec& builtin, RuleFileMode mode,
                 int depth, std::vector<RuleProblem>& problems) {
  RuleFile file = read_rule_file(path);
  problems.insert(problems.end(), file.problems.begin(), file.problems.end());
  RuleSpec base;
  const bool use_builtin =
      mode == RuleFileMode::add || (mode == RuleFileMode::as_file_says && file.extend_default);
  if (use_builtin) {
    base = builtin;
  } else if (!file.extend_path.empty()) {
    if (depth >= 2) {
      problems.push_back({"", "rules '" + path.string() + "': [extend] deeper than 2 levels"});
    } else {
      base = resolve(file.extend_path, builtin, RuleFileMode::as_file_says, depth + 1, problems);
    }
  }
  std::erase_if(base.rules, [&](const Rule& rule) {
    return std::find(file.disabled_rules.begin(), file.disabled_rules.end(), rule.id) !=
           file.disabled_rules.end();
  });
  merge_rules(base, file.spec);
  if (base.title.empty()) {
    base.title = file.spec.title;
  }
  return base;
}

} // namespace

RuleSpec resolve_rule_file(const std::filesystem::path& path, const RuleSpec& builtin,
                           RuleFileMode mode, std::vector<RuleProblem>& problems) {
  return resolve(path, builtin, mode, 0, problems);
}

} // namespace secrets
