#include "analyzer/secrets/builtin_rules.h"
#include "analyzer/secrets/config_scanner.h"
#include "analyzer/secrets/decode.h"
#include "analyzer/secrets/example.h"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace secrets;

namespace {

/// Standard base64 with padding, written here so the test checks the decoder
/// against an independent encoder.
std::string encode(std::string_view bytes, bool url_safe = false) {
  const char* alphabet = url_safe
                             ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                             : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    auto n = (static_cast<unsigned char>(bytes[i]) << 16) |
             (static_cast<unsigned char>(bytes[i + 1]) << 8) |
             static_cast<unsigned char>(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0})
      out += alphabet[(n >> shift) & 63];
  }
  if (i < bytes.size()) {
    unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size())
      n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? alphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::shared_ptr<const RuleSet> builtin_set() {
  static auto rules = [] {
    std::vector<RuleProblem> problems;
    return RuleSet::compile(builtin_rules(), problems);
  }();
  return rules;
}

} // namespace

TEST_CASE("find_base64 decodes printable spans and skips binary ones", "[secrets]") {
  const std::string text = "postgres://app:" + expand_example("{a:20}") + "@db:5432/app";
  const std::string encoded = encode(text);
  auto spans = find_base64("CREDS=" + encoded + " other=/usr/local/bin");
  REQUIRE(spans.size() == 1);
  CHECK(spans[0].offset == 6);
  CHECK(spans[0].encoded == encoded);
  CHECK(spans[0].decoded == text);

  CHECK(find_base64(encode(text, true)).at(0).decoded == text);
  // 24 random bytes encode to 32 base64 characters that decode to binary.
  std::string binary;
  for (int i = 0; i < 24; ++i)
    binary.push_back(static_cast<char>(i * 37 + 1));
  CHECK(find_base64(encode(binary)).empty());
  // Too short, and plain words.
  CHECK(find_base64(encode("abc")).empty());
  CHECK(find_base64("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin").empty());
}

TEST_CASE("a base64-encoded secret in ENV, a label or a command is found decoded", "[secrets]") {
  FileScanner scanner(builtin_set());
  const std::string token = expand_example("ghp_{a:36}", 3);
  const std::string url = "https://ci:" + expand_example("{a:16}", 4) + "@git.acme-corp.io/x.git";
  // Another token in history: one equal to a config Env value is reported once, there.
  const std::string other_token = expand_example("ghp_{a:36}", 5);
  ConfigInput config;
  config.env = {"PATH=/bin", "BOOTSTRAP=" + encode(token)};
  config.labels = {{"org.example.remote", encode(url)}};
  config.history = {
      {"/bin/sh -c echo " + encode(other_token) + " | base64 -d > /root/.token", false, 1}};
  std::vector<Finding> found = scan_config(scanner, config);

  auto pat = std::find_if(found.begin(), found.end(), [](const Finding& f) {
    return f.rule_id == "github-pat" && f.location.field == "Env";
  });
  REQUIRE(pat != found.end());
  CHECK(pat->secret == token);
  CHECK(pat->encoding == "base64");
  CHECK(pat->encoded == encode(token));
  CHECK(pat->location.key == "BOOTSTRAP");
  CHECK(pat->fix.find("run time") != std::string::npos);
  // The by-name rule does not repeat what the decoded token already says.
  CHECK(std::none_of(found.begin(), found.end(), [](const Finding& f) {
    return f.location.field == "Env" && f.rule_id == "env-secret-assignment";
  }));
  CHECK(std::any_of(found.begin(), found.end(), [](const Finding& f) {
    return f.location.field == "Labels" && f.rule_id == "url-basic-auth" && f.encoding == "base64";
  }));
  CHECK(std::any_of(found.begin(), found.end(), [&](const Finding& f) {
    return f.location.origin == Origin::history && f.rule_id == "github-pat" &&
           f.encoding == "base64" && f.secret == other_token;
  }));
}
