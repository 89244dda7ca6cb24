#include "analyzer/secrets/config_scanner.h"

#include "analyzer/secrets/builtin_rules.h"
#include "analyzer/secrets/decode.h"

#include <algorithm>
#include <cctype>
#include <iterator>

namespace secrets {

namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

/// Next whitespace-separated token of `text`, consumed.
std::string_view next_token(std::string_view& text) {
  text = trim(text);
  size_t end = 0;
  while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end]))) {
    ++end;
  }
  std::string_view token = text.substr(0, end);
  text.remove_prefix(end);
  return token;
}

std::string unquote(std::string_view value) {
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
      value.back() == value.front()) {
    value = value.substr(1, value.size() - 2);
  }
  return std::string(value);
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

/// Whether rule `id` is limited to a scope (the NAME=VALUE rules).
bool is_scoped_rule(const RuleSet& rules, const std::string& id) {
  int index = rules.find(id);
  return index >= 0 && !rules.rules()[static_cast<size_t>(index)].scope.empty();
}

/// Findings in the base64 spans of `text`, decoded; by-name (scoped) rules
/// do not run on decoded text.
std::vector<Finding> scan_decoded(FileScanner& scanner, const Location& base,
                                  std::string_view text) {
  std::vector<Finding> out;
  for (const EncodedSpan& span : find_base64(text)) {
    for (Finding& finding : scanner.scan_text(base, span.decoded)) {
      finding.encoding = "base64";
      finding.encoded = span.encoded;
      finding.description += " (base64-encoded)";
      out.push_back(std::move(finding));
    }
  }
  return out;
}

/// Scans one NAME=VALUE text, also its base64-encoded parts. When a specific
/// rule recognised the value, the by-name rule's finding repeats it and is
/// dropped.
void scan_assignment(FileScanner& scanner, const RuleSet& rules, const Location& base,
                     std::string_view text, std::string_view scope, const char* fix,
                     std::vector<Finding>& out) {
  std::vector<Finding> found = scanner.scan_text(base, text, scope);
  std::vector<Finding> decoded = scan_decoded(scanner, base, text);
  std::move(decoded.begin(), decoded.end(), std::back_inserter(found));
  const bool has_specific = std::any_of(found.begin(), found.end(), [&](const Finding& f) {
    return !is_scoped_rule(rules, f.rule_id);
  });
  for (auto& finding : found) {
    if (has_specific && is_scoped_rule(rules, finding.rule_id)) {
      continue;
    }
    finding.fix = fix;
    out.push_back(std::move(finding));
  }
}

void scan_plain(FileScanner& scanner, const Location& base, std::string_view text,
                std::vector<Finding>& out) {
  std::vector<Finding> found = scanner.scan_text(base, text);
  std::vector<Finding> decoded = scan_decoded(scanner, base, text);
  std::move(found.begin(), found.end(), std::back_inserter(out));
  std::move(decoded.begin(), decoded.end(), std::back_inserter(out));
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& part : parts) {
    out += out.empty() ? "" : " ";
    out += part;
  }
  return out;
}

void scan_fields(FileScanner& scanner, const RuleSet& rules, const ConfigInput& config,
                 std::vector<Finding>& out) {
  Location base;
  base.origin = Origin::config;
  base.field = "Env";
  for (const auto& entry : config.env) {
    base.key = entry.substr(0, entry.find('='));
    scan_assignment(scanner, rules, base, entry, "env", builtin::k_fix_env, out);
  }
  base.field = "Labels";
  for (const auto& [key, value] : config.labels) {
    base.key = key;
    scan_assignment(scanner, rules, base, key + "=" + value, "env", builtin::k_fix_env, out);
  }
  base.key.clear();
  const std::pair<const char*, const std::vector<std::string>*> commands[] = {
      {"Cmd", &config.cmd},
      {"Entrypoint", &config.entrypoint},
      {"Healthcheck", &config.healthcheck}};
  for (const auto& [field, parts] : commands) {
    if (!parts->empty()) {
      base.field = field;
      scan_plain(scanner, base, join(*parts), out);
    }
  }
  base.field = "OnBuild";
  for (const auto& trigger : config.on_build) {
    scan_plain(scanner, base, trigger, out);
  }
}

void scan_history_entry(FileScanner& scanner, const RuleSet& rules, const HistoryEntry& entry,
                        int index, std::vector<Finding>& out) {
  Location base;
  base.origin = Origin::history;
  base.field = "history";
  base.history_index = index;
  base.layer_index = entry.layer_index;
  base.created_by = entry.created_by;
  if (auto build = parse_build_args(entry.created_by)) {
    for (const auto& [name, value] : build->args) {
      base.key = name;
      scan_assignment(scanner, rules, base, name + "=" + value, "build-arg",
                      builtin::k_fix_build_arg, out);
    }
    base.key.clear();
    scan_plain(scanner, base, build->command, out);
    return;
  }
  std::string instruction;
  if (auto assignments = parse_env_or_arg(entry.created_by, instruction)) {
    const bool is_env = instruction == "ENV";
    for (const auto& [name, value] : *assignments) {
      base.key = name;
      scan_assignment(scanner, rules, base, name + "=" + value, is_env ? "env" : "build-arg",
                      is_env ? builtin::k_fix_env : builtin::k_fix_build_arg, out);
    }
    return;
  }
  scan_plain(scanner, base, entry.created_by, out);
}

} // namespace

std::optional<BuildArgs> parse_build_args(std::string_view created_by) {
  std::string_view text = trim(created_by);
  if (starts_with(text, "RUN ")) {
    text = trim(text.substr(4));
  }
  if (text.empty() || text.front() != '|') {
    return std::nullopt;
  }
  text.remove_prefix(1);
  size_t count = 0;
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) {
    count = count * 10 + static_cast<size_t>(text[digits] - '0');
    ++digits;
  }
  if (digits == 0 || count > 1000) {
    return std::nullopt;
  }
  text.remove_prefix(digits);
  BuildArgs build;
  for (size_t i = 0; i < count; ++i) {
    std::string_view token = next_token(text);
    size_t eq = token.find('=');
    if (token.empty() || eq == std::string_view::npos || eq == 0) {
      return std::nullopt;
    }
    build.args.emplace_back(std::string(token.substr(0, eq)), unquote(token.substr(eq + 1)));
  }
  build.command = std::string(trim(text));
  return build;
}

std::optional<std::vector<std::pair<std::string, std::string>>>
parse_env_or_arg(std::string_view created_by, std::string& instruction) {
  std::string_view text = trim(created_by);
  if (starts_with(text, "/bin/sh -c #(nop)")) {
    text = trim(text.substr(17));
  }
  if (!starts_with(text, "ENV ") && !starts_with(text, "ARG ")) {
    return std::nullopt;
  }
  instruction = std::string(text.substr(0, 3));
  text = trim(text.substr(4));
  std::vector<std::pair<std::string, std::string>> out;
  std::string_view first = text.substr(0, text.find_first_of(" \t"));
  if (instruction == "ENV" && first.find('=') == std::string_view::npos) {
    // Legacy "ENV NAME value with spaces".
    text.remove_prefix(first.size());
    out.emplace_back(std::string(first), unquote(trim(text)));
    return out;
  }
  while (!text.empty()) {
    std::string_view token = next_token(text);
    size_t eq = token.find('=');
    if (eq != std::string_view::npos && eq > 0) {
      out.emplace_back(std::string(token.substr(0, eq)), unquote(token.substr(eq + 1)));
    }
  }
  return out;
}

std::vector<Finding> scan_config(FileScanner& scanner, const ConfigInput& config) {
  const RuleSet& rules = scanner.rules();
  std::vector<Finding> out;
  scan_fields(scanner, rules, config, out);
  const size_t config_count = out.size();
  for (size_t i = 0; i < config.history.size(); ++i) {
    scan_history_entry(scanner, rules, config.history[i], static_cast<int>(i), out);
  }
  // The final Env already reports a value that an ENV line in history set.
  std::vector<Finding> kept;
  kept.reserve(out.size());
  std::move(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(config_count),
            std::back_inserter(kept));
  auto repeats_env = [&](const Finding& f) {
    return f.location.origin == Origin::history &&
           std::any_of(kept.begin(), kept.begin() + static_cast<std::ptrdiff_t>(config_count),
                       [&](const Finding& c) {
                         return c.location.field == "Env" && c.rule_id == f.rule_id &&
                                c.secret == f.secret;
                       });
  };
  for (size_t i = config_count; i < out.size(); ++i) {
    if (!repeats_env(out[i])) {
      kept.push_back(std::move(out[i]));
    }
  }
  return kept;
}

} // namespace secrets
