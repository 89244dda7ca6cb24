#include "analyzer/secrets/builtin_rules.h"
#include "analyzer/secrets/file_scanner.h"
#include "analyzer/secrets/rule_file.h"

#include "core/error.h"
#include "core/temp_dir.h"

#include <catch2/catch.hpp>

#include <fstream>

using namespace secrets;

namespace {

const char* const k_rules = R"(
title = "team rules"

[allowlist]
description = "global"
paths = ['''(^|/)testdata/''']

[[rules]]
id = "acme-token"
description = "ACME internal token"
regex = '''\b(acme_[a-z0-9]{16})\b'''
entropy = 3
keywords = ["acme_"]
tags = ["internal"]

  [[rules.allowlists]]
  regexTarget = "line"
  regexes = ['''fixture''']

[[rules]]
id = "acme-key-file"
path = '''(?:^|/)acme\.key$'''
severity = "critical"
fix = "Do not ship acme.key."

[[rules]]
description = "no id"
regex = "x"
)";

const Rule* find_rule(const RuleSpec& spec, std::string_view id) {
  for (const auto& rule : spec.rules) {
    if (rule.id == id) {
      return &rule;
    }
  }
  return nullptr;
}

void write_file(const std::filesystem::path& path, std::string_view text) {
  std::ofstream out(path);
  out << text;
}

} // namespace

TEST_CASE("parse_rule_file reads gitleaks' TOML keys", "[secrets]") {
  RuleFile file = parse_rule_file(k_rules, "team.toml");
  CHECK(file.spec.title == "team rules");
  REQUIRE(file.spec.rules.size() == 2);
  REQUIRE(file.problems.size() == 1);
  CHECK(file.problems[0].message == "rule without an id");
  const Rule& token = file.spec.rules[0];
  CHECK(token.id == "acme-token");
  CHECK(token.entropy == 3.0);
  CHECK(token.keywords == std::vector<std::string>{"acme_"});
  CHECK(token.tags == std::vector<std::string>{"internal"});
  REQUIRE(token.allowlists.size() == 1);
  CHECK(token.allowlists[0].regex_target == AllowlistTarget::line);
  CHECK(token.severity == Severity::high); // by the gitleaks mapping
  CHECK(token.origin == RuleOrigin::rule_file);
  const Rule& key = file.spec.rules[1];
  CHECK(key.severity == Severity::critical); // set explicitly
  CHECK(key.fix == "Do not ship acme.key.");
  REQUIRE(file.spec.allowlists.size() == 1);
  CHECK(file.spec.allowlists[0].paths.size() == 1);
}

TEST_CASE("parse_rule_file rejects malformed TOML with the file name", "[secrets]") {
  CHECK_THROWS_AS(parse_rule_file("[[rules]\nid = 1", "bad.toml"), core::InputError);
  try {
    parse_rule_file("[[rules]]\nid = \"x\"\nregex = 3\n", "typed.toml");
  } catch (...) {
    FAIL("a bad field type is a per-rule problem, not a thrown error");
  }
  RuleFile typed = parse_rule_file("[[rules]]\nid = \"x\"\nregex = 3\n", "typed.toml");
  CHECK(typed.spec.rules.empty());
  REQUIRE(typed.problems.size() == 1);
  CHECK(typed.problems[0].rule_id == "x");
}

TEST_CASE("gitleaks_severity maps rule ids to severities", "[secrets]") {
  auto severity = [](std::string id, std::string regex = "x") {
    Rule rule;
    rule.id = std::move(id);
    rule.regex = std::move(regex);
    return gitleaks_severity(rule);
  };
  CHECK(severity("private-key") == Severity::critical);
  CHECK(severity("aws-access-token") == Severity::critical);
  CHECK(severity("adobe-client-id") == Severity::low);
  CHECK(severity("flutterwave-public-key") == Severity::low);
  CHECK(severity("generic-api-key") == Severity::medium);
  CHECK(severity("pkcs12-file", "") == Severity::medium);
  CHECK(severity("github-pat") == Severity::high);
}

TEST_CASE("resolve_rule_file adds to or replaces the built-in rules", "[secrets]") {
  core::TempDir dir;
  const RuleSpec builtin = builtin_rules();
  std::vector<RuleProblem> problems;
  write_file(dir.path() / "plain.toml", k_rules);
  write_file(dir.path() / "extend.toml",
             std::string(k_rules) +
                 "\n[extend]\nuseDefault = true\ndisabledRules = [\"jwt\"]\n"
                 "\n[[rules]]\nid = \"github-pat\"\nentropy = 4.5\nkeywords = [\"github\"]\n");

  SECTION("without [extend] the file replaces the built-in set") {
    RuleSpec spec =
        resolve_rule_file(dir.path() / "plain.toml", builtin, RuleFileMode::as_file_says, problems);
    CHECK(spec.rules.size() == 2);
    RuleSpec added =
        resolve_rule_file(dir.path() / "plain.toml", builtin, RuleFileMode::add, problems);
    CHECK(added.rules.size() == builtin.rules.size() + 2);
  }
  SECTION("[extend] useDefault merges by id and honours disabledRules") {
    RuleSpec spec = resolve_rule_file(dir.path() / "extend.toml", builtin,
                                      RuleFileMode::as_file_says, problems);
    CHECK(spec.rules.size() == builtin.rules.size() + 2 - 1);
    CHECK(find_rule(spec, "jwt") == nullptr);
    const Rule* pat = find_rule(spec, "github-pat");
    REQUIRE(pat != nullptr);
    CHECK(pat->entropy == 4.5);
    CHECK(pat->regex == find_rule(builtin, "github-pat")->regex); // kept from the base
    CHECK(pat->keywords.size() == 2);
    RuleSpec replaced =
        resolve_rule_file(dir.path() / "extend.toml", builtin, RuleFileMode::replace, problems);
    CHECK(replaced.rules.size() == 3);
  }
  SECTION("[extend] path builds on another file") {
    write_file(dir.path() / "child.toml", "[extend]\npath = \"plain.toml\"\n[[rules]]\n"
                                          "id = \"child\"\nregex = \"child_[0-9]+\"\n");
    RuleSpec spec =
        resolve_rule_file(dir.path() / "child.toml", builtin, RuleFileMode::as_file_says, problems);
    CHECK(spec.rules.size() == 3);
    CHECK(find_rule(spec, "acme-token") != nullptr);
  }
}

TEST_CASE("rules from a file scan like built-in ones", "[secrets]") {
  RuleFile file = parse_rule_file(k_rules, "team.toml");
  std::vector<RuleProblem> problems;
  auto rules = RuleSet::compile(file.spec, problems);
  REQUIRE(problems.empty());
  FileScanner scanner(rules);
  CHECK(scanner.scan_file({.path = "app/x.cfg"}, "t = acme_k3j5h2g7f9d8s6a4").size() == 1);
  CHECK(scanner.scan_file({.path = "app/x.cfg"}, "t = acme_k3j5h2g7f9d8s6a4 # fixture").empty());
  CHECK(scanner.scan_file({.path = "app/testdata/x.cfg"}, "t = acme_k3j5h2g7f9d8s6a4").empty());
  auto key = scanner.scan_file({.path = "etc/acme.key"}, "");
  REQUIRE(key.size() == 1);
  CHECK(key[0].severity == Severity::critical);
}

TEST_CASE("composite rules report a finding only with their required parts nearby", "[secrets]") {
  const char* const composite = R"(
[[rules]]
id = "acme-client-id"
regex = '''\b(acme_id_[a-z0-9]{8})\b'''
keywords = ["acme_id_"]
skipReport = true

[[rules]]
id = "acme-client-secret"
regex = '''\b(acme_sk_[a-z0-9]{16})\b'''
keywords = ["acme_sk_"]
[[rules.required]]
id = "acme-client-id"
withinLines = 2

[[rules]]
id = "broken"
regex = '''x'''
[[rules.required]]
id = "no-such-rule"
)";
  RuleFile file = parse_rule_file(composite, "composite.toml");
  REQUIRE(file.spec.rules.size() == 3);
  REQUIRE(file.spec.rules[1].required.size() == 1);
  CHECK(file.spec.rules[1].required[0].within_lines == 2);
  CHECK(file.spec.rules[1].required[0].within_columns == -1);
  CHECK(file.spec.rules[0].skip_report);
  std::vector<RuleProblem> problems;
  auto rules = RuleSet::compile(file.spec, problems);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].rule_id == "broken");
  FileScanner scanner(rules);
  const std::string id = "client = acme_id_k3j5h2g7\n";
  const std::string secret = "secret = acme_sk_k3j5h2g7f9d8s6a4\n";
  auto both = scanner.scan_file({.path = "app/acme.cfg"}, id + secret);
  REQUIRE(both.size() == 1); // the id rule is only a part (skipReport)
  CHECK(both[0].rule_id == "acme-client-secret");
  CHECK(scanner.scan_file({.path = "app/acme.cfg"}, secret).empty());
  CHECK(scanner.scan_file({.path = "app/acme.cfg"}, id + "\n\n\n\n" + secret).empty());
}
