// Loads gitleaks' default rule file (shared/reference/data/gitleaks.toml, MIT)
// to prove the loader and RE2 accept gitleaks' format and regex dialect.
#include "analyzer/secrets/example.h"
#include "analyzer/secrets/file_scanner.h"
#include "analyzer/secrets/rule_file.h"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace secrets;

namespace {

/// The vendored file, or empty when this checkout has no shared/ beside it.
std::string gitleaks_toml() {
  std::string path = CSCAN_GITLEAKS_TOML;
  if (path.empty() || !std::filesystem::exists(path)) {
    return {};
  }
  return path;
}

} // namespace

TEST_CASE("gitleaks' default rules load and compile under RE2", "[secrets][gitleaks]") {
  const std::string path = gitleaks_toml();
  if (path.empty()) {
    WARN("SKIP: gitleaks.toml not found beside the repository (shared/reference/data)");
    return;
  }
  RuleFile file = read_rule_file(path);
  for (const auto& problem : file.problems) {
    WARN("gitleaks rule " << problem.rule_id << " not loaded: " << problem.message);
  }
  CHECK(file.problems.empty());
  CHECK(file.spec.rules.size() == 222);
  CHECK(file.spec.allowlists.size() == 1);

  std::vector<RuleProblem> problems;
  auto rules = RuleSet::compile(file.spec, problems);
  // Every failure is reported with RE2's reason; gitleaks' rules are Go RE2,
  // so none is expected.
  for (const auto& problem : problems) {
    WARN("gitleaks rule " << problem.rule_id << " does not compile: " << problem.message);
  }
  CHECK(problems.empty());
  CHECK(rules->rules().size() + problems.size() == 222);
  CHECK(rules->keywordless_rules().empty()); // pkcs12-file is path-only

  size_t severities[5] = {};
  for (const auto& rule : rules->rules()) {
    CHECK(rule.spec.origin == RuleOrigin::rule_file);
    ++severities[static_cast<int>(rule.spec.severity)];
  }
  CHECK(severities[static_cast<int>(Severity::critical)] > 0);
  CHECK(severities[static_cast<int>(Severity::medium)] > 0);
}

TEST_CASE("gitleaks' rules find secrets through the cscan engine", "[secrets][gitleaks]") {
  const std::string path = gitleaks_toml();
  if (path.empty()) {
    WARN("SKIP: gitleaks.toml not found beside the repository (shared/reference/data)");
    return;
  }
  std::vector<RuleProblem> problems;
  auto rules = RuleSet::compile(read_rule_file(path).spec, problems);
  FileScanner scanner(rules);
  auto ids = [&](const std::string& file, const std::string& content) {
    std::vector<std::string> out;
    for (const auto& f : scanner.scan_file({.path = file}, expand_example(content))) {
      out.push_back(f.rule_id);
    }
    return out;
  };
  using Catch::Matchers::VectorContains;
  CHECK_THAT(ids("app/a.env", "GITHUB_TOKEN=ghp_{a:36}\n"),
             VectorContains(std::string("github-pat")));
  CHECK_THAT(ids("app/a.env", "-----BEGIN RSA PRIVATE KEY-----\n{b:64}\n{b:64}\n-----END RSA "
                              "PRIVATE KEY-----\n"),
             VectorContains(std::string("private-key")));
  CHECK_THAT(ids("certs/client.p12", ""), VectorContains(std::string("pkcs12-file")));
  // The global allowlist skips node_modules.
  CHECK(ids("app/node_modules/x/a.env", "GITHUB_TOKEN=ghp_{a:36}\n").empty());
}
