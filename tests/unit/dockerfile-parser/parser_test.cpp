#include "dockerfile-parser/parser.h"

#include <catch2/catch.hpp>

using namespace dockerfile;

namespace {

std::string dump_of(std::string_view text) {
  ParseResult r = parse(text);
  return r.ok() ? dump(r.ast) : "ERROR";
}

std::vector<std::string> messages(const ParseResult& r) {
  std::vector<std::string> out;
  for (const auto& d : r.diagnostics) {
    out.push_back(std::string(core::to_string(d.severity)) + ": " + d.message);
  }
  return out;
}

} // namespace

TEST_CASE("parse keeps keyword case-insensitive and lower-cases it", "[parser]") {
  CHECK(dump_of("from alpine\nRuN echo hi\n") == "(from \"alpine\")\n(run \"echo hi\")\n");
}

TEST_CASE("parse joins continuation lines and skips comments inside them", "[parser]") {
  CHECK(dump_of("RUN echo a \\\n# comment\n  b\n") == "(run \"echo a   b\")\n");
  ParseResult r = parse("RUN a \\\n\n  b\n");
  REQUIRE(r.ok());
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].severity == core::Severity::warning);
  CHECK(r.diagnostics[0].message == "Empty continuation line found in: RUN a   b");
  CHECK(r.ast.children[0].end_line == 3);
}

TEST_CASE("parse handles parser directives", "[parser]") {
  SECTION("escape backtick changes continuation") {
    ParseResult r = parse("# escape=`\nFROM a\nRUN dir c:\\ `\n  && x\n");
    REQUIRE(r.ok());
    CHECK(r.ast.escape == '`');
    CHECK(dump(r.ast) == "(from \"a\")\n(run \"dir c:\\\\   && x\")\n");
  }
  SECTION("syntax and check are recorded") {
    ParseResult r = parse("# syntax=docker/dockerfile:1\n# check=skip=all\nFROM a\n");
    REQUIRE(r.ok());
    CHECK(r.ast.directive("syntax") == "docker/dockerfile:1");
    CHECK(r.ast.directive("check") == "skip=all");
  }
  SECTION("directives after a comment are comments") {
    ParseResult r = parse("# hello\n# escape=`\nFROM a\n");
    CHECK(r.ast.escape == '\\');
    CHECK(r.ast.directives.empty());
  }
  SECTION("a repeated directive is an error") {
    ParseResult r = parse("# escape=`\n# escape=\\\nFROM a\n");
    CHECK(messages(r) ==
          std::vector<std::string>{"error: only one escape parser directive can be used"});
  }
  SECTION("an invalid escape token is an error") {
    ParseResult r = parse("# escape=x\nFROM a\n");
    REQUIRE_FALSE(r.ok());
    CHECK(r.diagnostics[0].message == "invalid escape token 'x' does not match ` or \\");
  }
}

TEST_CASE("parse extracts builder flags for every instruction", "[parser]") {
  CHECK(dump_of("COPY --from=a --chown=\"x y\" s d\n") ==
        "(copy [\"--from=a\" \"--chown=x y\"] \"s\" \"d\")\n");
  CHECK(dump_of("COPY -- --x d\n") == "(copy \"--x\" \"d\")\n");
  CHECK(dump_of("FOO --bar baz\n") == "(foo [\"--bar\"] \"\")\n");
}

TEST_CASE("parse chooses JSON form only for a valid string array", "[parser]") {
  CHECK(dump_of("CMD [\"a\", \"b\"]\n") == "(cmd \"a\" \"b\")\n");
  CHECK(dump_of("CMD ['a']\n") == "(cmd \"['a']\")\n");
  CHECK(dump_of("CMD [\"a\"] x\n") == "(cmd \"[\\\"a\\\"] x\")\n");
  CHECK(dump_of("COPY [\"a b\", \"/c\"]\n") == "(copy \"a b\" \"/c\")\n");
  CHECK(dump_of("CMD [\"\\u00e9\\ud83d\\ude00\"]\n") == "(cmd \"é😀\")\n");
  ParseResult r = parse("CMD [\"a\", 1]\n");
  CHECK(messages(r) ==
        std::vector<std::string>{"error: when using JSON array syntax, arrays must be comprised of "
                                 "strings only"});
}

TEST_CASE("parse splits ENV and LABEL into key-value triples", "[parser]") {
  CHECK(dump_of("ENV a=1 b=\"x y\"\n") == "(env \"a\" \"1\" \"=\" \"b\" \"\\\"x y\\\"\" \"=\")\n");
  CHECK(dump_of("ENV a b c\n") == "(env \"a\" \"b c\" \"\")\n");
  CHECK(messages(parse("LABEL a=1 b\n")) ==
        std::vector<std::string>{
            "error: Syntax error - can't find = in \"b\". Must be of the form: name=value"});
}

TEST_CASE("parse reports every bad instruction with its location", "[parser]") {
  ParseResult r = parse("FROM a\nENV X\n  LABEL y\nRUN ok\n", "df");
  REQUIRE(r.diagnostics.size() == 2);
  CHECK(r.diagnostics[0].location.begin.line == 2);
  CHECK(r.diagnostics[1].location.begin.line == 3);
  CHECK(r.diagnostics[1].location.begin.column == 3);
  CHECK(core::render(r.diagnostics[1], "FROM a\nENV X\n  LABEL y\nRUN ok\n") ==
        "df:3:3: error: LABEL must have two arguments\n    LABEL y\n    ^\n");
  CHECK(r.ast.children.size() == 2); // FROM and RUN still parsed
}

TEST_CASE("parse fails for a file without instructions", "[parser]") {
  CHECK(messages(parse("")) == std::vector<std::string>{"error: file with no instructions"});
  CHECK_FALSE(parse("# only\n\n# comments\n").ok());
}

TEST_CASE("parse strips a BOM and CR line endings", "[parser]") {
  CHECK(dump_of("\xEF\xBB\xBF"
                "FROM a\r\nRUN b \\\r\n c\r\n") == "(from \"a\")\n(run \"b  c\")\n");
}

TEST_CASE("parse rejects over-long lines without crashing", "[parser]") {
  std::string text = "FROM a\nRUN " + std::string(70000, 'x') + "\n";
  ParseResult r = parse(text);
  REQUIRE_FALSE(r.ok());
  CHECK(r.diagnostics[0].message == "dockerfile line greater than max allowed size of 65535");
  CHECK(r.diagnostics[0].location.begin.line == 2);
  // Also inside a heredoc body, where lines are not otherwise inspected.
  r = parse("FROM a\nRUN <<EOF\n" + std::string(65536, 'y') + "\nEOF\n");
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].location.begin.line == 3);
  CHECK(parse("FROM a\nRUN " + std::string(65531, 'z') + "\n").ok()); // exactly 65535
}

TEST_CASE("parse records line ranges and comments", "[parser]") {
  ParseResult r = parse("\n# about a\nFROM a\nRUN x \\\n y\n");
  REQUIRE(r.ok());
  CHECK(r.ast.start_line == 3);
  CHECK(r.ast.end_line == 5);
  CHECK(r.ast.children[0].comments == std::vector<std::string>{"about a"});
  CHECK(r.ast.children[1].start_line == 4);
  CHECK(r.ast.children[1].end_line == 5);
}

TEST_CASE("parse nests ONBUILD triggers", "[parser]") {
  CHECK(dump_of("ONBUILD COPY --from=x a b\n") == "(onbuild (copy [\"--from=x\"] \"a\" \"b\"))\n");
  CHECK(dump_of("HEALTHCHECK --retries=3 CMD [\"x\"]\n") ==
        "(healthcheck [\"--retries=3\"] \"CMD\" \"x\")\n");
}
