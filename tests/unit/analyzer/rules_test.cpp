#include "analyzer/analysis.h"
#include "analyzer/rules.h"
#include "core/error.h"
#include "layer_builder.h"

#include <catch2/catch.hpp>

#include <set>

using namespace analyzer;
using namespace analyzer::test;

namespace {
std::multiset<std::string> rule_ids(const std::vector<Finding>& findings) {
  std::multiset<std::string> out;
  for (const Finding& finding : findings)
    out.insert(finding.rule_id);
  return out;
}
} // namespace

TEST_CASE("every rule has an id, a description, a fix and a unique id", "[analyzer]") {
  std::set<std::string_view> ids;
  for (const Rule& rule : all_rules()) {
    CHECK(!rule.id.empty());
    CHECK(!rule.name.empty());
    CHECK(!rule.description.empty());
    CHECK(!rule.fix.empty());
    CHECK(ids.insert(rule.id).second);
    CHECK(find_rule(rule.id) == &rule);
  }
  CHECK(find_rule("no/such-rule") == nullptr);
}

TEST_CASE("config_findings flag root, missing healthcheck, ADD URL and secret ENV", "[analyzer]") {
  ImageInfo info;
  info.config.env = {"PATH=/usr/bin", "DB_PASSWORD=hunter2", "API_TOKEN=", "PASSWORD_FILE=/run/s"};
  info.history = {{"", "/bin/sh -c #(nop) ADD https://example.com/x.tgz /opt/", "", false},
                  {"", "/bin/sh -c #(nop) ADD file:123 in /", "", false}};
  std::vector<Finding> findings = config_findings(info);
  CHECK(rule_ids(findings) ==
        std::multiset<std::string>{"config/root-user", "config/no-healthcheck",
                                   "config/add-from-url", "config/secret-env"});
  for (const Finding& finding : findings) {
    CHECK(finding.message.find("hunter2") == std::string::npos);
    if (finding.rule_id == "config/secret-env")
      CHECK(finding.message == "ENV DB_PASSWORD=<redacted> looks like a baked-in secret");
  }
}

TEST_CASE("config_findings accept a non-root user and a healthcheck", "[analyzer]") {
  ImageInfo info;
  info.config.user = "10001:10001";
  info.config.healthcheck = std::vector<std::string>{"CMD", "true"};
  CHECK(config_findings(info).empty());
  info.config.user = "root:root";
  CHECK(rule_ids(config_findings(info)) == std::multiset<std::string>{"config/root-user"});
  info.config.user = "app";
  info.config.healthcheck = std::vector<std::string>{"NONE"};
  CHECK(rule_ids(config_findings(info)) == std::multiset<std::string>{"config/no-healthcheck"});
}

TEST_CASE("file_findings flag setuid, world-writable and capabilities in the final tree",
          "[analyzer]") {
  FileEntry ping = file("usr/bin/ping", 10);
  ping.has_file_capabilities = true;
  Image image;
  image.layers = {
      layer({file("usr/bin/su", 10, "", 04755), dir("tmp", 01777), dir("shared", 0777),
             file("etc/open", 1, "", 0666), file("usr/bin/gone", 1, "", 02755), ping}),
      layer({whiteout("usr/bin/gone")}),
  };
  LayerWalk walk = walk_layers(image.layers);
  std::vector<Finding> findings = file_findings(image, walk);
  CHECK(rule_ids(findings) == std::multiset<std::string>{"files/setuid", "files/world-writable",
                                                         "files/world-writable",
                                                         "files/capabilities"});
  for (const Finding& finding : findings) {
    if (finding.rule_id == "files/setuid")
      CHECK(finding.message == "/usr/bin/su is setuid (mode 4755, uid 0)");
  }
}

TEST_CASE("redact_env hides secret values only", "[analyzer]") {
  CHECK(redact_env("AWS_SECRET_ACCESS_KEY=abc") == "AWS_SECRET_ACCESS_KEY=<redacted>");
  CHECK(redact_env("HOME=/root") == "HOME=/root");
  CHECK(redact_env("GITHUB_TOKEN") == "GITHUB_TOKEN");
}

TEST_CASE("parse_image_config maps history to layers, skipping empty layers", "[analyzer]") {
  ImageInfo info;
  parse_image_config(R"({"architecture":"amd64","os":"linux",
    "config":{"User":"app","Env":["A=1"],"ExposedPorts":{"80/tcp":{}},"Labels":{"k":"v"},
              "Healthcheck":{"Test":["CMD","true"]}},
    "rootfs":{"type":"layers","diff_ids":["sha256:aa","sha256:bb"]},
    "history":[{"created_by":"ADD file:1 in /"},{"created_by":"ENV A=1","empty_layer":true},
               {"created_by":"/bin/sh -c make"}]})",
                     info);
  REQUIRE(info.layers.size() == 2);
  CHECK(info.layers[1].diff_id == "sha256:bb");
  CHECK(info.layers[1].created_by == "/bin/sh -c make");
  CHECK(info.layers[1].history_index == 2u);
  CHECK(info.config.user == "app");
  CHECK(info.config.exposed_ports == std::vector<std::string>{"80/tcp"});
  CHECK(instruction_of(info.layers[1].created_by) == "RUN make");
  CHECK(instruction_of("RUN /bin/sh -c rm /root/.ssh/id_deploy # buildkit") ==
        "RUN rm /root/.ssh/id_deploy");
  CHECK(instruction_of("COPY id_deploy /root/.ssh/id_deploy # buildkit") ==
        "COPY id_deploy /root/.ssh/id_deploy");
  CHECK(instruction_of("RUN |1 TOKEN=x /bin/sh -c make # buildkit") ==
        "RUN |1 TOKEN=x /bin/sh -c make");
  CHECK_THROWS_AS(parse_image_config("[1]", info), core::InputError);
  CHECK_THROWS_AS(parse_image_config(R"({"config":{"Env":"x"}})", info), core::Error);
}
