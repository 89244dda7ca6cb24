// cscan: analyse a saved container image and gate CI on it. This file only wires
// the command line to the analyzer library.
#include "analyzer/version.h"
#include "core/error.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  CLI::App app{"cscan: take a container image apart, find waste and leaked secrets"};
  app.set_version_flag("--version", std::string(analyzer::version()));
  std::string image;
  app.add_option("image", image, "image.tar, oci:DIR[:ref]")->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  std::fprintf(stderr, "cscan: error: analysis is not implemented yet\n");
  return 2;
}
