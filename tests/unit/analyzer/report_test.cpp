#include "analyzer/report.h"
#include "layer_builder.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace analyzer;
using namespace analyzer::test;

namespace {
struct Fixture {
  Image image;
  Analysis analysis;
  GateResult gate;
  Fixture() {
    image.info.source = "fat.tar";
    image.info.format = "docker-archive";
    image.info.config.env = {"API_TOKEN=abc123"};
    image.info.layers.resize(2);
    image.info.layers[0].created_by = "/bin/sh -c #(nop) COPY file:1 in /srv";
    image.info.layers[1].created_by = "/bin/sh -c chmod 600 /srv/data";
    image.layers = {layer({file("srv/data", 5000, "D")}),
                    layer({file("srv/data", 5000, "D", 0600)})};
    analysis = analyze(image);
    gate = evaluate_gate(Policy{}, analysis);
  }
  ReportInput input(const DockerfileMap* map = nullptr) {
    return ReportInput{image, analysis, gate, map, "Dockerfile", false, 20};
  }
};
} // namespace

TEST_CASE("render_json carries the schema version, figures and findings", "[analyzer]") {
  Fixture f;
  nlohmann::json doc = nlohmann::json::parse(render_json(f.input()));
  CHECK(doc["schemaVersion"] == "cscan.report/v1");
  CHECK(doc["efficiency"]["dive"]["wastedBytes"] == 10000);
  CHECK(doc["efficiency"]["corrected"]["reclaimableBytes"] == 5000);
  CHECK(doc["image"]["layers"].size() == 2);
  CHECK(doc["image"]["config"]["env"][0] == "API_TOKEN=<redacted>");
  CHECK(doc["findings"][0]["severity"] == "high");
  CHECK(doc["gate"]["passed"] == false);
  CHECK(render_json(f.input()).find("abc123") == std::string::npos);
}

TEST_CASE("render_sarif has GitHub's required fields", "[analyzer]") {
  Fixture f;
  nlohmann::json doc = nlohmann::json::parse(render_sarif(f.input()));
  CHECK(doc["version"] == "2.1.0");
  const auto& run = doc["runs"][0];
  CHECK(run["tool"]["driver"]["name"] == "cscan");
  CHECK(run["tool"]["driver"]["rules"].size() == all_rules().size());
  for (const auto& rule : run["tool"]["driver"]["rules"]) {
    CHECK(!rule["shortDescription"]["text"].get<std::string>().empty());
    CHECK(!rule["help"]["text"].get<std::string>().empty());
  }
  REQUIRE(run["results"].size() == f.analysis.findings.size());
  for (const auto& result : run["results"]) {
    const auto& rule = run["tool"]["driver"]["rules"][result["ruleIndex"].get<std::size_t>()];
    CHECK(rule["id"] == result["ruleId"]);
    CHECK(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
              .get<std::string>()
              .starts_with("image/"));
    CHECK(result["partialFingerprints"]["primaryLocationLineHash"].get<std::string>().size() == 18);
  }
}

TEST_CASE("render_sarif points findings at Dockerfile lines with --dockerfile", "[analyzer]") {
  Fixture f;
  std::string dockerfile = "FROM scratch\nCOPY data /srv/data\nENV API_TOKEN=abc123\n"
                           "RUN chmod 600 /srv/data\n";
  DockerfileMap map(dockerfile, f.image.info);
  nlohmann::json doc = nlohmann::json::parse(render_sarif(f.input(&map)));
  std::map<std::string, int> line_of;
  for (const auto& result : doc["runs"][0]["results"]) {
    const auto& location = result["locations"][0]["physicalLocation"];
    CHECK(location["artifactLocation"]["uri"] == "Dockerfile");
    line_of[result["ruleId"]] = location["region"]["startLine"];
  }
  CHECK(line_of["config/secret-env"] == 3);
  CHECK(line_of["efficiency/rewritten-files"] == 4);
  CHECK(line_of["config/root-user"] == 1);
}

TEST_CASE("render_text lists findings first, worst first", "[analyzer]") {
  Fixture f;
  std::string text = render_text(f.input());
  auto findings = text.find("Findings");
  auto secret = text.find("config/secret-env");
  auto rewrite = text.find("efficiency/rewritten-files");
  auto efficiency = text.find("Efficiency");
  CHECK(findings < secret);
  CHECK(secret < rewrite);
  CHECK(rewrite < efficiency);
  CHECK(text.find("\033[") == std::string::npos);
  CHECK(text.find("result: FAIL") != std::string::npos);
}

TEST_CASE("render_markdown makes a table for a pull request", "[analyzer]") {
  Fixture f;
  std::string md = render_markdown(f.input());
  CHECK(md.starts_with("### cscan: `fat.tar` **failed**"));
  CHECK(md.find("| high | `config/secret-env` |") != std::string::npos);
}
