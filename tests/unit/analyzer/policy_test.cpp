#include "analyzer/policy.h"
#include "core/error.h"
#include "layer_builder.h"

#include <catch2/catch.hpp>

using namespace analyzer;
using namespace analyzer::test;

TEST_CASE("parse_bytes follows go-humanize units", "[analyzer]") {
  CHECK(parse_bytes("1024") == 1024u);
  CHECK(parse_bytes("20MB") == 20000000u);
  CHECK(parse_bytes("19Mb") == 19000000u);
  CHECK(parse_bytes("1 GiB") == 1073741824u);
  CHECK(parse_bytes("2k") == 2000u);
  CHECK_FALSE(parse_bytes("lots").has_value());
  CHECK_FALSE(parse_bytes("5 parsecs").has_value());
}

TEST_CASE("parse_policy reads a .dive-ci rules file as dive does", "[analyzer]") {
  Policy policy = parse_policy("rules:\n  lowestEfficiency: 0.96\n  highestWastedBytes: 19Mb\n"
                               "  highestUserWastedPercent: disabled\n",
                               ".dive-ci");
  CHECK(policy.lowest_efficiency == Approx(0.96));
  CHECK(policy.highest_wasted_bytes == 19000000u);
  CHECK_FALSE(policy.highest_user_wasted_percent.has_value());
  CHECK(policy.fail_on == Severity::high);
}

TEST_CASE("parse_policy reads our own keys and rejects bad ones", "[analyzer]") {
  Policy policy = parse_policy("failOn: medium\ndisable: [config/no-healthcheck]\n"
                               "maxImageSize: 500MB\n",
                               "p");
  CHECK(policy.fail_on == Severity::medium);
  CHECK(policy.disabled_rules.count("config/no-healthcheck") == 1);
  CHECK(policy.max_image_size == 500000000u);
  CHECK(parse_policy("failOn: never\n", "p").fail_on == std::nullopt);
  CHECK_THROWS_WITH(parse_policy("lowestEfficiency: 2\n", "p"),
                    "policy 'p': key 'lowestEfficiency': invalid value '2' (a number between 0 "
                    "and 1)");
  CHECK_THROWS_AS(parse_policy("disable: [no/such]\n", "p"), core::InputError);
  CHECK_THROWS_AS(parse_policy("colour: red\n", "p"), core::InputError);
  CHECK_THROWS_AS(parse_policy("a: [\n", "p"), core::InputError);
}

TEST_CASE("evaluate_gate compares strictly, like dive", "[analyzer]") {
  Image image;
  image.layers = {layer({file("a", 100)}), layer({file("a", 100), file("b", 50)}),
                  layer({whiteout("b")})};
  Analysis analysis = analyze(image);
  Policy policy;
  policy.fail_on.reset();
  policy.lowest_efficiency = 0.40; // efficiency is exactly 0.40: not below
  CHECK(evaluate_gate(policy, analysis).passed());
  policy.lowest_efficiency = 0.41;
  CHECK_FALSE(evaluate_gate(policy, analysis).passed());
  policy.lowest_efficiency.reset();
  policy.highest_wasted_bytes = 250;
  CHECK(evaluate_gate(policy, analysis).passed());
  policy.highest_wasted_bytes = 249;
  CHECK_FALSE(evaluate_gate(policy, analysis).passed());
  policy.highest_wasted_bytes.reset();
  policy.max_reclaimable_bytes = 149;
  CHECK_FALSE(evaluate_gate(policy, analysis).passed());
}

TEST_CASE("evaluate_gate fails on findings at failOn unless baselined", "[analyzer]") {
  Image image;
  image.info.config.env = {"DB_PASSWORD=x"};
  image.layers = {layer({file("a", 1)})};
  Analysis analysis = analyze(image);
  Policy policy; // failOn high: the secret ENV is high
  GateResult gate = evaluate_gate(policy, analysis);
  CHECK_FALSE(gate.passed());
  CHECK(gate.failing_findings == 1);

  Baseline baseline;
  for (const Finding& finding : analysis.findings)
    baseline.fingerprints.insert(finding.fingerprint);
  apply_policy_filters(policy, &baseline, analysis.findings);
  gate = evaluate_gate(policy, analysis);
  CHECK(gate.passed());
  CHECK(gate.baselined_findings == analysis.findings.size());

  policy.disabled_rules = {"config/secret-env"};
  Analysis again = analyze(image);
  apply_policy_filters(policy, nullptr, again.findings);
  for (const Finding& finding : again.findings)
    CHECK(finding.rule_id != "config/secret-env");
}

TEST_CASE("baseline_json lists each fingerprint once", "[analyzer]") {
  Finding a;
  a.rule_id = "config/root-user";
  a.fingerprint = "0123456789abcdef";
  std::string json = baseline_json({a, a});
  CHECK(json.find("\"version\": 1") != std::string::npos);
  CHECK(json.find(a.fingerprint) == json.rfind(a.fingerprint));
}
