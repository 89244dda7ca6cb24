#include "analyzer/report.h"
#include "analyzer/secret_scan.h"
#include "analyzer/secrets/example.h"
#include "layer_builder.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>

using namespace analyzer;
using namespace analyzer::test;

namespace {

/// A made-up OpenSSH key (random base64 body from a template; nothing real).
std::string fake_key(std::uint64_t seed = 1) {
  return secrets::expand_example("-----BEGIN OPENSSH PRIVATE KEY-----\n{b:70}\n{b:70}\n{b:40}\n"
                                 "-----END OPENSSH PRIVATE KEY-----\n",
                                 seed);
}

/// Feeds `content` for entry `index` of `layer` to the scanner in two chunks,
/// as the layer stream would.
void feed(const ContentHook& hook, const Image& image, std::uint32_t layer, std::size_t index,
          std::string_view content) {
  const FileEntry& entry = image.layers[layer].entries[index];
  hook(layer, entry, content.substr(0, content.size() / 2), false);
  hook(layer, entry, content.substr(content.size() / 2), false);
  hook(layer, entry, {}, true);
}

void set_layer(Image& image, std::size_t index, std::string created_by) {
  image.info.layers.resize(std::max(image.info.layers.size(), index + 1));
  image.info.layers[index].created_by = std::move(created_by);
  image.info.layers[index].digest = "sha256:" + std::string(63, '0') + std::to_string(index);
}

std::vector<Finding> scan_image(Image& image, const std::vector<std::string>& contents,
                                const SecretScanOptions& options = {}) {
  SecretScan scan(options);
  ContentHook hook = scan.hook();
  std::size_t next = 0;
  for (std::uint32_t l = 0; l < image.layers.size(); ++l) {
    for (std::size_t e = 0; e < image.layers[l].entries.size(); ++e) {
      if (image.layers[l].entries[e].type == FileType::regular)
        feed(hook, image, l, e, contents.at(next++));
    }
  }
  scan.scan_config(image.info);
  Analysis analysis = analyze(image);
  scan.finish(image, analysis);
  std::vector<Finding> out;
  for (Finding& finding : analysis.findings) {
    if (finding.secret)
      out.push_back(std::move(finding));
  }
  return out;
}

const Finding* by_rule(const std::vector<Finding>& findings, std::string_view rule) {
  auto it = std::find_if(findings.begin(), findings.end(),
                         [&](const Finding& f) { return f.rule_id == rule; });
  return it == findings.end() ? nullptr : &*it;
}

/// The workshop mistake: COPY a key, chmod it, RUN rm it.
Image copy_chmod_rm(const std::string& key, std::size_t base_layers = 1) {
  Image image;
  for (std::size_t b = 0; b < base_layers; ++b) {
    set_layer(image, b, "/bin/sh -c #(nop) ADD file:base in / ");
    image.layers.push_back(layer({file("etc/motd" + std::to_string(b), 5)}));
  }
  std::size_t at = base_layers;
  set_layer(image, at, "/bin/sh -c #(nop) COPY file:1 in /root/.ssh/id_rsa ");
  set_layer(image, at + 1, "/bin/sh -c chmod 600 /root/.ssh/id_rsa");
  set_layer(image, at + 2, "/bin/sh -c rm /root/.ssh/id_rsa");
  image.layers.push_back(layer({file("root/.ssh/id_rsa", key.size(), "key")}));
  image.layers.push_back(layer({file("root/.ssh/id_rsa", key.size(), "key", 0600)}));
  image.layers.push_back(layer({whiteout("root/.ssh/id_rsa")}));
  return image;
}

std::vector<std::string> contents_of(const Image& image, const std::string& key) {
  std::vector<std::string> contents;
  for (const LayerTable& table : image.layers) {
    for (const FileEntry& entry : table.entries) {
      if (entry.type == FileType::regular)
        contents.push_back(entry.path.starts_with("root/") ? key : "hello");
    }
  }
  return contents;
}

} // namespace

TEST_CASE("a key copied, chmod-ed and deleted is one finding per rule, still shipped",
          "[analyzer][secrets]") {
  const std::string key = fake_key();
  Image image = copy_chmod_rm(key);
  std::vector<Finding> findings = scan_image(image, contents_of(image, key));
  // The content rule and the path rule, each once although two layers hold copies.
  REQUIRE(findings.size() == 2);
  const Finding* content = by_rule(findings, "secret/private-key-openssh");
  const Finding* path = by_rule(findings, "secret/ssh-private-key-file");
  REQUIRE(content != nullptr);
  REQUIRE(path != nullptr);
  CHECK(content->severity == Severity::critical);
  CHECK(content->layer == 1u);
  CHECK(content->path == "/root/.ssh/id_rsa");
  CHECK(content->fingerprint.size() == 64);
  const SecretDetail& detail = *content->secret;
  CHECK(detail.origin == "file");
  CHECK(detail.line == 1);
  CHECK(detail.layer_digest == image.info.layers[1].digest);
  CHECK(detail.created_by == "COPY file:1 in /root/.ssh/id_rsa ");
  CHECK(detail.presence == "deleted");
  CHECK(detail.removed_in_layer == 3u);
  CHECK(detail.removed_by == "RUN rm /root/.ssh/id_rsa");
  CHECK(detail.shipped_in == std::vector<std::uint32_t>{1, 2});
  CHECK_THAT(content->message,
             Catch::Contains("deleted in layer 3 by RUN rm /root/.ssh/id_rsa, still shipped in "
                             "layers 1, 2"));
  CHECK_THAT(content->message, Catch::Contains("/root/.ssh/id_rsa:1"));
  CHECK_THAT(content->advice, Catch::Contains("does not remove it"));
  // Never the key body.
  const std::string body_line = key.substr(key.find('\n') + 1, 70);
  CHECK(content->message.find(body_line.substr(0, 12)) == std::string::npos);
  CHECK(detail.match.find(body_line.substr(0, 12)) == std::string::npos);
  CHECK_FALSE(detail.shown);
}

TEST_CASE("a secret fingerprint survives a rebuild that moves layers and lines",
          "[analyzer][secrets]") {
  const std::string key = fake_key();
  Image first = copy_chmod_rm(key, 1);
  Image moved = copy_chmod_rm("# deploy key\n" + key, 3);
  Image other_key = copy_chmod_rm(fake_key(2), 1);
  std::vector<Finding> first_findings = scan_image(first, contents_of(first, key));
  std::vector<Finding> moved_findings =
      scan_image(moved, contents_of(moved, "# deploy key\n" + key));
  std::vector<Finding> other_findings = scan_image(other_key, contents_of(other_key, fake_key(2)));
  const Finding* a = by_rule(first_findings, "secret/private-key-openssh");
  const Finding* b = by_rule(moved_findings, "secret/private-key-openssh");
  const Finding* c = by_rule(other_findings, "secret/private-key-openssh");
  REQUIRE(a != nullptr);
  REQUIRE(b != nullptr);
  REQUIRE(c != nullptr);
  CHECK(b->layer == 3u);
  CHECK(b->secret->line == 2);
  CHECK(a->fingerprint == b->fingerprint);
  CHECK(a->fingerprint != c->fingerprint);
}

TEST_CASE("a secret still in the final file system says so", "[analyzer][secrets]") {
  Image image;
  set_layer(image, 0, "/bin/sh -c #(nop) COPY file:2 in /app/.npmrc ");
  image.layers = {layer({file("app/.npmrc", 60)})};
  const std::string npmrc = secrets::expand_example("//registry.npmjs.org/:_authToken={w:36}\n");
  std::vector<Finding> findings = scan_image(image, {npmrc});
  const Finding* found = by_rule(findings, "secret/npmrc-auth");
  REQUIRE(found != nullptr);
  CHECK(found->secret->presence == "present");
  CHECK(found->secret->shipped_in == std::vector<std::uint32_t>{0});
  CHECK_THAT(found->message, Catch::Contains("still in the final file system"));
  CHECK(found->message.find(npmrc.substr(34, 20)) == std::string::npos);
}

TEST_CASE("build args and ENV values are findings and masked everywhere", "[analyzer][secrets]") {
  const std::string password = secrets::expand_example("{a:24}", 7);
  const std::string token = secrets::expand_example("ghp_{a:36}", 8);
  Image image;
  set_layer(image, 0, "/bin/sh -c #(nop) ADD file:base in / ");
  set_layer(image, 1, "RUN |1 DB_PASSWORD=" + password + " /bin/sh -c ./configure");
  image.layers = {layer({file("etc/motd", 5)}), layer({file("app/config.h", 5)})};
  image.info.history = {{"", image.info.layers[0].created_by, "", false},
                        {"", "ENV GH=" + token, "", true},
                        {"", image.info.layers[1].created_by, "", false}};
  image.info.layers[0].history_index = 0;
  image.info.layers[1].history_index = 2;
  image.info.config.env = {"PATH=/usr/bin", "GH=" + token};

  SECTION("masked by default") {
    std::vector<Finding> findings = scan_image(image, {"hello", "hello"});
    const Finding* arg = by_rule(findings, "secret/build-arg-secret");
    REQUIRE(arg != nullptr);
    CHECK(arg->path == "history:2");
    CHECK(arg->layer == 1u);
    CHECK(arg->secret->key == "DB_PASSWORD");
    CHECK(arg->secret->history_index == 2);
    CHECK_THAT(arg->message, Catch::Contains("history entry 2 (layer 1), build arg DB_PASSWORD"));
    CHECK_THAT(arg->advice, Catch::Contains("RUN --mount=type=secret"));
    const Finding* env = by_rule(findings, "secret/github-pat");
    REQUIRE(env != nullptr);
    CHECK(env->path == "config:Env:GH");
    CHECK_THAT(env->advice, Catch::Contains("run time"));
    // Nothing a report prints holds either secret: findings, config, history.
    for (const Finding& finding : findings) {
      CHECK(finding.message.find(password) == std::string::npos);
      CHECK(finding.secret->created_by.find(password) == std::string::npos);
      CHECK(finding.message.find(token) == std::string::npos);
    }
    CHECK(image.info.layers[1].created_by.find(password) == std::string::npos);
    CHECK(image.info.history[2].created_by.find(password) == std::string::npos);
    CHECK(image.info.history[1].created_by.find(token) == std::string::npos);
    CHECK(image.info.config.env[1].find(token) == std::string::npos);
    CHECK(image.info.config.env[0] == "PATH=/usr/bin");
  }
  SECTION("--show-secrets keeps them, for local debugging") {
    std::vector<Finding> findings =
        scan_image(image, {"hello", "hello"}, {.rules_file = {}, .show_secrets = true});
    const Finding* arg = by_rule(findings, "secret/build-arg-secret");
    REQUIRE(arg != nullptr);
    CHECK(arg->secret->shown);
    CHECK_THAT(arg->message, Catch::Contains(password));
    CHECK_THAT(image.info.layers[1].created_by, Catch::Contains(password));
  }
}

TEST_CASE("SARIF and JSON carry one rule per secret rule with the full fingerprint",
          "[analyzer][secrets]") {
  const std::string key = fake_key();
  Image image = copy_chmod_rm(key);
  SecretScan scan;
  ContentHook hook = scan.hook();
  std::vector<std::string> contents = contents_of(image, key);
  std::size_t next = 0;
  for (std::uint32_t l = 0; l < image.layers.size(); ++l) {
    for (std::size_t e = 0; e < image.layers[l].entries.size(); ++e) {
      if (image.layers[l].entries[e].type == FileType::regular)
        feed(hook, image, l, e, contents[next++]);
    }
  }
  scan.scan_config(image.info);
  Analysis analysis = analyze(image);
  scan.finish(image, analysis);
  GateResult gate = evaluate_gate(Policy{}, analysis);
  ReportInput input{image, analysis, gate, nullptr, "", false, 20};

  nlohmann::json sarif = nlohmann::json::parse(render_sarif(input));
  const auto& run = sarif["runs"][0];
  const auto& rules = run["tool"]["driver"]["rules"];
  std::vector<std::string> secret_rule_ids;
  for (const auto& rule : rules) {
    std::string id = rule["id"];
    if (id.starts_with("secret/")) {
      secret_rule_ids.push_back(id);
      CHECK(rule["properties"].contains("security-severity"));
      CHECK(rule["help"]["text"].get<std::string>().size() > 20);
    }
  }
  CHECK(secret_rule_ids ==
        std::vector<std::string>{"secret/private-key-openssh", "secret/ssh-private-key-file"});
  std::size_t secret_results = 0;
  for (const auto& result : run["results"]) {
    std::string id = result["ruleId"];
    CHECK(rules[result["ruleIndex"].get<std::size_t>()]["id"] == id);
    if (!id.starts_with("secret/"))
      continue;
    ++secret_results;
    CHECK(result["partialFingerprints"]["cscanSecret/v1"].get<std::string>().size() == 64);
    CHECK(result["properties"]["secret"]["presence"] == "deleted");
  }
  CHECK(secret_results == 2);

  nlohmann::json report = nlohmann::json::parse(render_json(input));
  std::size_t json_secrets = 0;
  for (const auto& finding : report["findings"]) {
    if (!finding.contains("secret"))
      continue;
    ++json_secrets;
    CHECK(finding["fingerprint"].get<std::string>().size() == 64);
    CHECK(finding["secret"]["shippedIn"] == nlohmann::json::array({1, 2}));
    CHECK(finding["secret"]["removedInLayer"] == 3);
    CHECK(finding["secret"]["layerDigest"] == image.info.layers[1].digest);
  }
  CHECK(json_secrets == 2);
  CHECK(render_text(input).find(image.info.layers[1].digest) != std::string::npos);
}
