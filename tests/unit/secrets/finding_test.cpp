#include "analyzer/secrets/finding.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace secrets;

TEST_CASE("shannon_entropy counts bits per byte", "[secrets]") {
  CHECK(shannon_entropy("") == 0);
  CHECK(shannon_entropy("aaaa") == 0);
  CHECK(shannon_entropy("ab") == Approx(1.0));
  CHECK(shannon_entropy("abcd") == Approx(2.0));
  CHECK(shannon_entropy("0123456789abcdef") == Approx(4.0));
}

TEST_CASE("redaction never shows the whole secret", "[secrets]") {
  CHECK(redact_secret("abcdefghijklmnop") == "abcd*****");
  CHECK(redact_secret("abcdefgh") == "ab*****");
  CHECK(redact_secret("abc") == "*****");
  CHECK(redact_match("TOKEN=abcdefghijklmnop", "abcdefghijklmnop") == "TOKEN=abcd*****");
  CHECK(redact_match("a\nb", "") == "*****");
  std::string long_match = "-----BEGIN KEY-----\n" + std::string(300, 'Q') + "\n-----END KEY-----";
  std::string redacted = redact_match(long_match, std::string(300, 'Q'));
  CHECK(redacted.find('\n') == std::string::npos);
  CHECK(redacted.size() <= 103);
}

TEST_CASE("fingerprint depends on rule, secret and place, not layer or line", "[secrets]") {
  Location a;
  a.path = "app/.env";
  a.layer_index = 1;
  a.line = 3;
  Location b = a;
  b.layer_index = 9;
  b.layer_digest = "sha256:ff";
  b.line = 30;
  CHECK(fingerprint("r", "s", a) == fingerprint("r", "s", b));
  CHECK(fingerprint("r", "s", a).size() == 64);
  CHECK(fingerprint("r", "s", a) != fingerprint("r2", "s", a));
  CHECK(fingerprint("r", "s", a) != fingerprint("r", "s2", a));
  Location env;
  env.origin = Origin::config;
  env.field = "Env";
  env.key = "TOKEN";
  Location history;
  history.origin = Origin::history;
  history.key = "TOKEN";
  history.history_index = 4;
  Location history_moved = history;
  history_moved.history_index = 7;
  CHECK(fingerprint("r", "s", env) != fingerprint("r", "s", history));
  CHECK(fingerprint("r", "s", history) == fingerprint("r", "s", history_moved));
}

TEST_CASE("describe_location names the place in a few words", "[secrets]") {
  Location file;
  file.path = "root/.ssh/id_rsa";
  file.layer_index = 3;
  file.line = 1;
  CHECK(describe_location(file) == "root/.ssh/id_rsa:1 in layer 3");
  Location env;
  env.origin = Origin::config;
  env.field = "Env";
  env.key = "PASSWORD";
  CHECK(describe_location(env) == "config Env PASSWORD");
  Location history;
  history.origin = Origin::history;
  history.history_index = 2;
  history.key = "TOKEN";
  CHECK(describe_location(history) == "history #2 build-arg/variable TOKEN");
}
