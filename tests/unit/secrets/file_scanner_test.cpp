#include "analyzer/secrets/builtin_rules.h"
#include "analyzer/secrets/example.h"
#include "analyzer/secrets/file_scanner.h"

#include <catch2/catch.hpp>

#include <thread>

using namespace secrets;

namespace {

std::shared_ptr<const RuleSet> builtins() {
  static auto rules = [] {
    std::vector<RuleProblem> problems;
    return RuleSet::compile(builtin_rules(), problems);
  }();
  return rules;
}

std::shared_ptr<const RuleSet> compile(const RuleSpec& spec) {
  std::vector<RuleProblem> problems;
  auto rules = RuleSet::compile(spec, problems);
  REQUIRE(problems.empty());
  return rules;
}

std::vector<Finding> with_rule(const std::vector<Finding>& findings, const std::string& id) {
  std::vector<Finding> out;
  for (const auto& f : findings) {
    if (f.rule_id == id) {
      out.push_back(f);
    }
  }
  return out;
}

/// Feeds `content` in pieces of `chunk` bytes.
std::vector<Finding> scan_chunked(FileScanner& scanner, const FileContext& context,
                                  std::string_view content, size_t chunk) {
  scanner.begin_file(context);
  for (size_t pos = 0; pos < content.size(); pos += chunk) {
    scanner.feed(content.substr(pos, chunk));
  }
  return scanner.end_file();
}

std::string filler_lines(size_t count) {
  std::string text;
  for (size_t i = 0; i < count; ++i) {
    text += "line " + std::to_string(i) + " of harmless configuration text\n";
  }
  return text;
}

} // namespace

TEST_CASE("FileScanner finds a token split across two chunks, once", "[secrets]") {
  const std::string token = expand_example("ghp_{a:36}");
  const std::string content = "# config\nexport GITHUB_TOKEN=" + token + "\n# end\n";
  FileScanner scanner(builtins());
  for (size_t chunk = 1; chunk <= content.size(); chunk += 3) {
    INFO("chunk size " << chunk);
    auto found =
        with_rule(scan_chunked(scanner, {.path = "app/env.sh"}, content, chunk), "github-pat");
    REQUIRE(found.size() == 1);
    CHECK(found[0].secret == token);
    CHECK(found[0].location.line == 2);
    CHECK(found[0].location.column == 21);
  }
}

TEST_CASE("FileScanner keeps line numbers and finds secrets across 1 MiB windows", "[secrets]") {
  const std::string token = expand_example("npm_{a:36}");
  const std::string key =
      expand_example("-----BEGIN OPENSSH PRIVATE KEY-----\n{b:70}\n{b:70}\n{b:70}\n"
                     "-----END OPENSSH PRIVATE KEY-----");
  // ~1.5 MiB of filler puts the token and the key near the first window's end.
  std::string content = filler_lines(26000);
  const size_t filler = 26000;
  content +=
      "NPM_TOKEN=" + token + "\n" + key + "\n" + filler_lines(20000) + "again " + token + "\n";
  FileScanner scanner(builtins());
  for (size_t chunk : {size_t{4096}, size_t{65536}, size_t{1} << 20, content.size()}) {
    INFO("chunk size " << chunk);
    auto findings = scan_chunked(scanner, {.path = "srv/big.log"}, content, chunk);
    auto tokens = with_rule(findings, "npm-access-token");
    REQUIRE(tokens.size() == 2);
    CHECK(tokens[0].location.line == filler + 1);
    CHECK(tokens[1].location.line == filler + 7 + 20000);
    auto keys = with_rule(findings, "private-key-openssh");
    REQUIRE(keys.size() == 1);
    CHECK(keys[0].location.line == filler + 2);
  }
}

TEST_CASE("FileScanner reads binary files by their printable strings", "[secrets]") {
  const std::string token = expand_example("glpat-{w:20}");
  std::string content("\x7f"
                      "ELF\x00\x01\x02\x03",
                      8);
  content += std::string(5000, '\0') + "token=" + token + std::string(3, '\0') + "tiny\x01";
  FileScanner scanner(builtins());
  auto found = with_rule(scanner.scan_file({.path = "usr/bin/app"}, content), "gitlab-pat");
  REQUIRE(found.size() == 1);
  CHECK(scanner.is_binary());
  CHECK(found[0].location.in_binary);
  CHECK(found[0].location.line == 0);
  CHECK(found[0].secret == token);
}

TEST_CASE("FileScanner drops matches at or below the entropy threshold", "[secrets]") {
  FileScanner scanner(builtins());
  const std::string random_id = expand_example("AKIA{U:16}");
  CHECK(
      with_rule(scanner.scan_file({.path = "a"}, "key=" + random_id), "aws-access-key-id").size() ==
      1);
  CHECK(with_rule(scanner.scan_file({.path = "a"}, "key=AKIAAAAAAAAAAAAAAAAA"), "aws-access-key-id")
            .empty());
  // The AWS documentation key is allowlisted by its EXAMPLE suffix.
  CHECK(with_rule(scanner.scan_file({.path = "a"}, "key=AKIAIOSFODNN7EXAMPLE"), "aws-access-key-id")
            .empty());
}

TEST_CASE("FileScanner applies rule and global allowlists", "[secrets]") {
  RuleSpec spec;
  Rule rule;
  rule.id = "test-token";
  rule.regex = R"(tok_([a-z0-9]{8}))";
  rule.keywords = {"tok_"};
  Allowlist stop;
  stop.stopwords = {"dead"};
  Allowlist by_line;
  by_line.regex_target = AllowlistTarget::line;
  by_line.regexes = {"^#"};
  Allowlist both;
  both.condition = AllowlistCondition::all;
  both.paths = {R"(\.md$)"};
  both.regexes = {"^1"};
  rule.allowlists = {stop, by_line, both};
  spec.rules.push_back(rule);
  Allowlist global;
  global.paths = {"(^|/)vendor/"};
  spec.allowlists.push_back(global);
  FileScanner scanner(compile(spec));

  CHECK(scanner.scan_file({.path = "a.txt"}, "x tok_abc12345").size() == 1);
  SECTION("stopwords test the secret") {
    CHECK(scanner.scan_file({.path = "a.txt"}, "x tok_dead1234").empty());
  }
  SECTION("regexTarget line tests the whole line") {
    CHECK(scanner.scan_file({.path = "a.txt"}, "# tok_abc12345").empty());
  }
  SECTION("condition AND needs every criterion") {
    CHECK(scanner.scan_file({.path = "a.md"}, "tok_1bc12345").empty());
    CHECK(scanner.scan_file({.path = "a.txt"}, "tok_1bc12345").size() == 1);
    CHECK(scanner.scan_file({.path = "a.md"}, "tok_abc12345").size() == 1);
  }
  SECTION("a global path allowlist skips the file") {
    scanner.begin_file({.path = "src/vendor/lib.txt"});
    CHECK_FALSE(scanner.wants_content());
    scanner.feed("tok_abc12345");
    CHECK(scanner.end_file().empty());
  }
  SECTION("gitleaks:allow on the line suppresses it") {
    CHECK(scanner.scan_file({.path = "a.txt"}, "tok_abc12345 # gitleaks:allow\n").empty());
  }
}

TEST_CASE("FileScanner reports sensitive files by path", "[secrets]") {
  FileScanner scanner(builtins());
  auto found = scanner.scan_file({.path = "root/.ssh/id_rsa", .layer_index = 4}, "");
  REQUIRE(with_rule(found, "ssh-private-key-file").size() == 1);
  CHECK(found[0].location.layer_index == 4);
  CHECK(with_rule(scanner.scan_file({.path = "root/.ssh/id_rsa.pub"}, ""), "ssh-private-key-file")
            .empty());
  // Path plus content: an .npmrc only counts when it holds a token.
  const std::string npmrc = expand_example("//registry.npmjs.org/:_authToken={w:36}\n");
  CHECK(with_rule(scanner.scan_file({.path = "home/u/.npmrc"}, npmrc), "npmrc-auth").size() == 1);
  CHECK(with_rule(scanner.scan_file({.path = "home/u/.npmrc"}, "registry=https://r.example\n"),
                  "npmrc-auth")
            .empty());
  CHECK(with_rule(scanner.scan_file({.path = "home/u/npmrc.txt"}, npmrc), "npmrc-auth").empty());
}

TEST_CASE("fingerprints ignore the layer position but not the path", "[secrets]") {
  const std::string content = expand_example("password: x\nSTRIPE=sk_live_{a:24}\n");
  FileScanner scanner(builtins());
  auto early = scanner.scan_file({.path = "app/.env.local",
                                  .layer_index = 2,
                                  .layer_digest = "sha256:aa",
                                  .created_by = "COPY . /app"},
                                 content);
  auto late = scanner.scan_file({.path = "app/.env.local",
                                 .layer_index = 7,
                                 .layer_digest = "sha256:bb",
                                 .created_by = "COPY app /app"},
                                "\n\n" + content);
  auto moved = scanner.scan_file({.path = "srv/.env.local", .layer_index = 2}, content);
  auto a = with_rule(early, "stripe-secret-key");
  auto b = with_rule(late, "stripe-secret-key");
  auto c = with_rule(moved, "stripe-secret-key");
  REQUIRE(a.size() == 1);
  REQUIRE(b.size() == 1);
  REQUIRE(c.size() == 1);
  CHECK(a[0].fingerprint == b[0].fingerprint);
  CHECK(a[0].location.line != b[0].location.line);
  CHECK(a[0].fingerprint != c[0].fingerprint);
  CHECK(with_rule(early, "dotenv-file")[0].fingerprint ==
        with_rule(late, "dotenv-file")[0].fingerprint);
}

TEST_CASE("a generic finding yields to a specific rule on the same line", "[secrets]") {
  FileScanner scanner(builtins());
  const std::string token = expand_example("ghp_{a:36}");
  auto found = scanner.scan_file({.path = "a.conf"}, "github_token = \"" + token + "\"\n");
  CHECK(with_rule(found, "github-pat").size() == 1);
  CHECK(with_rule(found, "generic-secret-assignment").empty());
  const std::string other = expand_example("{a:8}7{a:20}");
  auto generic = scanner.scan_file({.path = "a.conf"}, "api_token = \"" + other + "\"\n");
  CHECK(with_rule(generic, "generic-secret-assignment").size() == 1);
}

TEST_CASE("FileScanner objects in several threads share one RuleSet", "[secrets]") {
  auto rules = builtins();
  const std::string content =
      expand_example("a\nSLACK=xoxb-{d:12}-{d:13}-{a:24}\nb\nDO=dop_v1_{h:64}\n");
  std::vector<size_t> counts(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < counts.size(); ++t) {
    threads.emplace_back([&, t] {
      FileScanner scanner(rules);
      for (int i = 0; i < 50; ++i) {
        counts[t] += scanner.scan_file({.path = "f" + std::to_string(i)}, content).size();
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  for (size_t count : counts) {
    CHECK(count == 100);
  }
}

TEST_CASE("a keyword-guided rule still finds a match that wraps a line", "[secrets]") {
  RuleSpec spec;
  Rule rule;
  rule.id = "wrapped";
  rule.regex = R"(session_key\s*=\s*(v_[a-z0-9]{8}))";
  rule.keywords = {"session_key"};
  spec.rules.push_back(rule);
  FileScanner scanner(compile(spec));
  const std::string content =
      filler_lines(1000) + "session_key =\n\n   v_abc12345\n" + filler_lines(10);
  auto found = scanner.scan_file({.path = "a.ini"}, content);
  REQUIRE(found.size() == 1);
  CHECK(found[0].secret == "v_abc12345");
  CHECK(found[0].location.line == 1001);
}

TEST_CASE("documentation URLs and constant names are not reported", "[secrets]") {
  FileScanner scanner(builtins());
  CHECK(
      with_rule(scanner.scan_file({.path = "doc/url.md"}, "see https://abc:xyz123@example.com/p\n"),
                "url-basic-auth")
          .empty());
  CHECK(
      with_rule(scanner.scan_file({.path = "doc/url.md"}, "see https://abc:xyz123@git.acme.io/p\n"),
                "url-basic-auth")
          .size() == 1);
  CHECK(with_rule(
            scanner.scan_file({.path = "curl.pp"}, "CURLOPT_PASSWORD = CURLOPTTYPE_OBJECT+174;\n"),
            "generic-secret-assignment")
            .empty());
}
