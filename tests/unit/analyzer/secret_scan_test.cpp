#include "analyzer/secret_scan.h"
#include "layer_builder.h"

#include <catch2/catch.hpp>

using namespace analyzer;
using namespace analyzer::test;

TEST_CASE("SecretScan reports a key deleted by a later layer as still shipped", "[analyzer]") {
  Image image;
  image.info.layers.resize(2);
  image.info.layers[0].created_by = "/bin/sh -c #(nop) COPY file:1 in /root/.ssh/id_rsa";
  image.info.layers[1].created_by = "/bin/sh -c rm /root/.ssh/id_rsa";
  image.layers = {layer({file("root/.ssh/id_rsa", 200), file("etc/motd", 5)}),
                  layer({whiteout("root/.ssh/id_rsa")})};
  SecretScan scan;
  ContentHook hook = scan.hook();
  // Feed the key in two chunks, as the layer stream would.
  std::string key = "-----BEGIN OPENSSH PRIVATE KEY-----\n"
                    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
                    "QyNTUxOQAAACDu2J7k3Xq9yXhVtF5rJm2Z8mTQ0pL1wGf0aQk3nZQ5RwAAAJgAAAAAAAAA\n"
                    "-----END OPENSSH PRIVATE KEY-----\n";
  hook(0, image.layers[0].entries[0], std::string_view(key).substr(0, 50), false);
  hook(0, image.layers[0].entries[0], std::string_view(key).substr(50), false);
  hook(0, image.layers[0].entries[0], {}, true);
  hook(0, image.layers[0].entries[1], "hello", false);
  hook(0, image.layers[0].entries[1], {}, true);
  LayerWalk walk = walk_layers(image.layers);
  std::vector<Finding> findings = scan.findings(image, walk);
  const Finding* key_finding = nullptr;
  for (const Finding& finding : findings) {
    if (finding.path == "/root/.ssh/id_rsa")
      key_finding = &finding;
  }
  REQUIRE(key_finding != nullptr);
  CHECK(key_finding->rule_id == "secrets/leaked-secret");
  CHECK(key_finding->layer == 0u);
  CHECK(key_finding->message.find("deleted by layer 1 (RUN rm /root/.ssh/id_rsa)") !=
        std::string::npos);
  CHECK(key_finding->message.find("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ") ==
        std::string::npos);
}
