#include "analyzer/secrets/rule_set.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace secrets {

namespace {

std::string to_lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

/// Compiles a whole allowlist; on failure reports and returns false.
bool compile_allowlist(const Allowlist& spec, std::string_view owner, CompiledAllowlist& out,
                       std::vector<RuleProblem>& problems) {
  out.spec = spec;
  std::string error;
  for (const auto& pattern : spec.paths) {
    auto re = compile_regex(pattern, error);
    if (!re) {
      problems.push_back({std::string(owner), "allowlist path '" + pattern + "': " + error});
      return false;
    }
    out.paths.push_back(std::move(re));
  }
  for (const auto& pattern : spec.regexes) {
    auto re = compile_regex(pattern, error);
    if (!re) {
      problems.push_back({std::string(owner), "allowlist regex '" + pattern + "': " + error});
      return false;
    }
    out.regexes.push_back(std::move(re));
  }
  for (const auto& word : spec.stopwords) {
    out.stopwords.push_back(to_lower(word));
  }
  return true;
}

/// Compiles one rule into `out`; on failure reports and returns false.
bool compile_rule(const Rule& spec, CompiledRule& out, std::vector<RuleProblem>& problems) {
  out.spec = spec;
  out.generic = spec.id.find("generic") != std::string::npos;
  // Heuristic, from the pattern text: constructs that make a regex span lines.
  for (const char* marker : {"\\s\\S", "\\S\\s", "\\w\\W", "\\W\\w", "\\d\\D", "(?s", "\\n", "\\r",
                             "\n", "\\x0a", "\\x0A", "\\v", "[[:space:]]"}) {
    out.multiline = out.multiline || spec.regex.find(marker) != std::string::npos;
  }
  for (const auto& tag : spec.tags) {
    if (tag.rfind("scope:", 0) == 0) {
      out.scope = tag.substr(6);
    }
  }
  std::string error;
  if (spec.regex.empty() && spec.path.empty()) {
    problems.push_back({spec.id, "rule has neither regex nor path"});
    return false;
  }
  if (!spec.regex.empty()) {
    out.regex = compile_regex(spec.regex, error);
    if (!out.regex) {
      problems.push_back({spec.id, "regex does not compile under RE2: " + error});
      return false;
    }
    if (spec.secret_group < 0 || spec.secret_group > out.regex->NumberOfCapturingGroups()) {
      problems.push_back(
          {spec.id, "secretGroup " + std::to_string(spec.secret_group) + " exceeds the regex's " +
                        std::to_string(out.regex->NumberOfCapturingGroups()) + " capture groups"});
      return false;
    }
  }
  if (!spec.path.empty()) {
    out.path = compile_regex(spec.path, error);
    if (!out.path) {
      problems.push_back({spec.id, "path does not compile under RE2: " + error});
      return false;
    }
  }
  for (const auto& allowlist : spec.allowlists) {
    CompiledAllowlist compiled;
    if (!compile_allowlist(allowlist, spec.id, compiled, problems)) {
      return false;
    }
    out.allowlists.push_back(std::move(compiled));
  }
  return true;
}

} // namespace

std::unique_ptr<const re2::RE2> compile_regex(const std::string& pattern, std::string& error) {
  RE2::Options options;
  options.set_log_errors(false);
  // Rules such as gitleaks' generic ones have large counted repetitions;
  // the default 8 MiB budget makes RE2 give up on a few of them.
  options.set_max_mem(int64_t{64} << 20);
  // Layer content is bytes, not UTF-8: Latin-1 mode lets '.' and classes
  // match any byte and avoids UTF-8 decoding. Only safe for ASCII patterns.
  if (is_ascii(pattern) && pattern.find("\\p") == std::string::npos &&
      pattern.find("\\P") == std::string::npos) {
    options.set_encoding(RE2::Options::EncodingLatin1);
  }
  auto re = std::make_unique<const RE2>(pattern, options);
  if (!re->ok()) {
    error = re->error();
    return nullptr;
  }
  return re;
}

bool CompiledAllowlist::matches_path(std::string_view path) const {
  return std::any_of(paths.begin(), paths.end(),
                     [&](const auto& re) { return RE2::PartialMatch(path, *re); });
}

bool CompiledAllowlist::matches_regex(std::string_view target) const {
  return std::any_of(regexes.begin(), regexes.end(),
                     [&](const auto& re) { return RE2::PartialMatch(target, *re); });
}

bool CompiledAllowlist::matches_stopword(std::string_view secret) const {
  if (stopwords.empty()) {
    return false;
  }
  const std::string lower = to_lower(secret);
  return std::any_of(stopwords.begin(), stopwords.end(), [&](const std::string& word) {
    return lower.find(word) != std::string::npos;
  });
}

bool CompiledAllowlist::allows(std::string_view path, std::string_view secret,
                               std::string_view match, std::string_view line) const {
  std::string_view target = secret;
  if (spec.regex_target == AllowlistTarget::match) {
    target = match;
  } else if (spec.regex_target == AllowlistTarget::line) {
    target = line;
  }
  if (spec.condition == AllowlistCondition::any) {
    return matches_path(path) || matches_regex(target) || matches_stopword(secret);
  }
  // AND: every populated criterion must hold, and at least one must be populated.
  bool any_criterion = false;
  if (!paths.empty()) {
    any_criterion = true;
    if (!matches_path(path)) {
      return false;
    }
  }
  if (!regexes.empty()) {
    any_criterion = true;
    if (!matches_regex(target)) {
      return false;
    }
  }
  if (!stopwords.empty()) {
    any_criterion = true;
    if (!matches_stopword(secret)) {
      return false;
    }
  }
  return any_criterion;
}

std::shared_ptr<const RuleSet> RuleSet::compile(const RuleSpec& spec,
                                                std::vector<RuleProblem>& problems) {
  auto set = std::make_shared<RuleSet>();
  for (const auto& allowlist : spec.allowlists) {
    CompiledAllowlist compiled;
    if (compile_allowlist(allowlist, "", compiled, problems)) {
      set->m_allowlists.push_back(std::move(compiled));
    }
  }

  std::vector<std::string> keywords;
  std::map<std::string, size_t> keyword_index;
  std::set<std::string> ids;
  for (const auto& rule : spec.rules) {
    ids.insert(rule.id);
  }
  for (const auto& rule : spec.rules) {
    auto unknown = std::find_if(rule.required.begin(), rule.required.end(),
                                [&](const RequiredRule& r) { return ids.count(r.id) == 0; });
    if (unknown != rule.required.end()) {
      problems.push_back({rule.id, "required rule '" + unknown->id + "' does not exist"});
      continue;
    }
    CompiledRule compiled;
    if (!compile_rule(rule, compiled, problems)) {
      continue;
    }
    const auto rule_index = static_cast<std::uint32_t>(set->m_rules.size());
    if (compiled.regex && rule.keywords.empty()) {
      set->m_keywordless.push_back(rule_index);
    }
    for (const auto& keyword : rule.keywords) {
      std::string lower = to_lower(keyword);
      if (lower.empty()) {
        continue;
      }
      auto [it, inserted] = keyword_index.emplace(lower, keywords.size());
      if (inserted) {
        keywords.push_back(lower);
        set->m_keyword_rules.emplace_back();
      }
      auto& owners = set->m_keyword_rules[it->second];
      if (owners.empty() || owners.back() != rule_index) {
        owners.push_back(rule_index);
      }
    }
    set->m_rules.push_back(std::move(compiled));
  }
  set->m_keywords = KeywordMatcher(keywords);
  return set;
}

int RuleSet::find(std::string_view id) const {
  for (size_t i = 0; i < m_rules.size(); ++i) {
    if (m_rules[i].spec.id == id) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

} // namespace secrets
