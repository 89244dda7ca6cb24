#include "core/diagnostic.h"

#include <catch2/catch.hpp>

using namespace core;

TEST_CASE("render quotes the line and puts a caret under the range", "[core][diagnostic]") {
  Diagnostic d{Severity::error,
               "unknown-instruction",
               {"Dockerfile", {2, 1}, {2, 4}},
               "unknown instruction 'RUNN'",
               "did you mean 'RUN'?"};
  std::string source = "FROM busybox\nRUNN apt-get update\n";
  CHECK(render(d, source) ==
        "Dockerfile:2:1: error: unknown instruction 'RUNN' (did you mean 'RUN'?)\n"
        "  RUNN apt-get update\n"
        "  ^~~~\n");
}

TEST_CASE("render without a source line prints only the message", "[core][diagnostic]") {
  Diagnostic d{Severity::warning, "x", {"Dockerfile", {9, 3}, {9, 3}}, "something odd", ""};
  CHECK(render(d, "one line\n") == "Dockerfile:9:3: warning: something odd\n");
}

TEST_CASE("render keeps tabs so the caret lines up", "[core][diagnostic]") {
  Diagnostic d{Severity::error, "x", {"f", {1, 3}, {1, 3}}, "bad", ""};
  CHECK(render(d, "\t\tX") == "f:1:3: error: bad\n  \t\tX\n  \t\t^\n");
}

TEST_CASE("has_errors ignores warnings", "[core][diagnostic]") {
  std::vector<Diagnostic> ds{{Severity::warning, "w", {}, "w", ""}};
  CHECK_FALSE(has_errors(ds));
  ds.push_back({Severity::error, "e", {}, "e", ""});
  CHECK(has_errors(ds));
}
