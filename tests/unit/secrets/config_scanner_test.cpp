#include "analyzer/secrets/builtin_rules.h"
#include "analyzer/secrets/config_scanner.h"
#include "analyzer/secrets/example.h"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace secrets;

namespace {

FileScanner make_scanner() {
  static auto rules = [] {
    std::vector<RuleProblem> problems;
    return RuleSet::compile(builtin_rules(), problems);
  }();
  return FileScanner(rules);
}

size_t count_rule(const std::vector<Finding>& findings, const std::string& id) {
  return static_cast<size_t>(std::count_if(findings.begin(), findings.end(),
                                           [&](const Finding& f) { return f.rule_id == id; }));
}

const Finding* find_rule(const std::vector<Finding>& findings, const std::string& id) {
  for (const auto& f : findings) {
    if (f.rule_id == id) {
      return &f;
    }
  }
  return nullptr;
}

} // namespace

TEST_CASE("parse_build_args reads Docker's and BuildKit's |N prefix", "[secrets]") {
  auto classic = parse_build_args("|1 PASSWORD=hunter2 /bin/sh -c make install");
  REQUIRE(classic);
  REQUIRE(classic->args.size() == 1);
  CHECK(classic->args[0] == std::pair<std::string, std::string>{"PASSWORD", "hunter2"});
  CHECK(classic->command == "/bin/sh -c make install");

  auto buildkit = parse_build_args("RUN |2 TOKEN=abc MODE=release /bin/sh -c ./build.sh");
  REQUIRE(buildkit);
  REQUIRE(buildkit->args.size() == 2);
  CHECK(buildkit->args[1].first == "MODE");
  CHECK(buildkit->command == "/bin/sh -c ./build.sh");

  CHECK_FALSE(parse_build_args("/bin/sh -c make"));
  CHECK_FALSE(parse_build_args("|x A=1 cmd"));
  CHECK_FALSE(parse_build_args("|2 A=1"));
}

TEST_CASE("parse_env_or_arg reads ENV and ARG lines of history", "[secrets]") {
  std::string instruction;
  auto env = parse_env_or_arg("/bin/sh -c #(nop)  ENV API_TOKEN=abc DEBUG=1", instruction);
  REQUIRE(env);
  CHECK(instruction == "ENV");
  REQUIRE(env->size() == 2);
  CHECK((*env)[0] == std::pair<std::string, std::string>{"API_TOKEN", "abc"});
  auto legacy = parse_env_or_arg("ENV PASSWORD s3cret words", instruction);
  REQUIRE(legacy);
  CHECK((*legacy)[0].second == "s3cret words");
  auto arg = parse_env_or_arg("ARG NPM_TOKEN=\"x y\"", instruction);
  REQUIRE(arg);
  CHECK(instruction == "ARG");
  CHECK_FALSE(parse_env_or_arg("RUN make", instruction));
}

TEST_CASE("scan_config finds secrets in Env, Labels and commands", "[secrets]") {
  FileScanner scanner = make_scanner();
  ConfigInput config;
  const std::string token = expand_example("ghp_{a:36}");
  config.env = {"PATH=/usr/local/bin:/usr/bin",
                "GITHUB_TOKEN=" + token,
                "DB_PASSWORD=hunter2!",
                "DB_PASSWORD_FILE=/run/secrets/db",
                "GPG_KEY=7169605F62C751356D054A26A821E680E5FA6305",
                "FEATURE_TOKEN_ENABLED=true"};
  config.labels = {{"org.opencontainers.image.source", "https://github.com/acme/app"},
                   {"deploy.api_key", expand_example("{a:32}")}};
  config.cmd = {"sh", "-c", expand_example("curl https://ci:{a:20}@repo.acme-corp.io/pkg")};
  auto findings = scan_config(scanner, config);

  const Finding* gh = find_rule(findings, "github-pat");
  REQUIRE(gh);
  CHECK(gh->location.origin == Origin::config);
  CHECK(gh->location.field == "Env");
  CHECK(gh->location.key == "GITHUB_TOKEN");
  CHECK(gh->fix == std::string(builtin::k_fix_env));
  // The by-name rule does not repeat what github-pat already said.
  CHECK(count_rule(findings, "env-secret-assignment") == 2); // DB_PASSWORD and the label
  const Finding* password = find_rule(findings, "env-secret-assignment");
  REQUIRE(password);
  CHECK(password->location.key == "DB_PASSWORD");
  CHECK(password->secret == "hunter2!");
  CHECK(password->redacted.find("hunter2!") == std::string::npos);
  const Finding* url = find_rule(findings, "url-basic-auth");
  REQUIRE(url);
  CHECK(url->location.field == "Cmd");
  CHECK(findings.size() == 4);
}

TEST_CASE("scan_config finds build-arg values leaked into history", "[secrets]") {
  FileScanner scanner = make_scanner();
  ConfigInput config;
  const std::string npm = expand_example("npm_{a:36}");
  config.env = {"API_TOKEN=" + expand_example("{a:24}")};
  config.history = {
      {.created_by = "/bin/sh -c #(nop) ADD file:abc in / ",
       .empty_layer = false,
       .layer_index = 0},
      {.created_by = "|2 PASSWORD=correct-horse NPM_TOKEN=" + npm + " /bin/sh -c npm ci",
       .empty_layer = false,
       .layer_index = 1},
      {.created_by = "RUN |1 HTTP_PROXY=http://proxy:3128 /bin/sh -c apt-get update",
       .empty_layer = false,
       .layer_index = 2},
      {.created_by = "ENV " + config.env[0], .empty_layer = true, .layer_index = -1},
      {.created_by = "ENV OLD_SECRET=" + expand_example("{a:20}"),
       .empty_layer = true,
       .layer_index = -1},
  };
  auto findings = scan_config(scanner, config);

  const Finding* npm_finding = find_rule(findings, "npm-access-token");
  REQUIRE(npm_finding);
  CHECK(npm_finding->location.origin == Origin::history);
  CHECK(npm_finding->location.history_index == 1);
  CHECK(npm_finding->location.layer_index == 1);
  CHECK(npm_finding->location.key == "NPM_TOKEN");
  CHECK(npm_finding->fix == std::string(builtin::k_fix_build_arg));
  const Finding* password = find_rule(findings, "build-arg-secret");
  REQUIRE(password);
  CHECK(password->location.key == "PASSWORD");
  CHECK(password->secret == "correct-horse");
  CHECK(count_rule(findings, "build-arg-secret") == 1); // not HTTP_PROXY, not NPM_TOKEN twice
  // API_TOKEN is reported once, from Env; OLD_SECRET only lives in history.
  REQUIRE(count_rule(findings, "env-secret-assignment") == 2);
  CHECK(findings[0].location.origin == Origin::config);
  const Finding& old_secret = findings.back();
  CHECK(old_secret.location.origin == Origin::history);
  CHECK(old_secret.location.key == "OLD_SECRET");
  CHECK(findings.size() == 4);
}
