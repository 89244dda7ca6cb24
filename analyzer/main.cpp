// cscan: analyse a saved container image and gate CI on it. This file only
// hands the command line to the analyzer library (analyzer/cli.cpp).
#include "analyzer/cli.h"

int main(int argc, char** argv) {
  return analyzer::run_cli(argc, argv);
}
