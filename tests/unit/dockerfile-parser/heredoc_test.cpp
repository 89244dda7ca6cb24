#include "dockerfile-parser/heredoc.h"
#include "dockerfile-parser/parser.h"

#include <catch2/catch.hpp>

using namespace dockerfile;

namespace {

std::optional<Heredoc> marker(std::string_view word) {
  std::string error;
  return parse_heredoc_marker(word, error);
}

} // namespace

TEST_CASE("parse_heredoc_marker reads names, quoting, chomp and fd", "[heredoc]") {
  auto m = marker("<<EOF");
  REQUIRE(m);
  CHECK(m->name == "EOF");
  CHECK(m->expand);
  CHECK_FALSE(m->chomp);
  CHECK(m->fd == 0);
  m = marker("3<<-'END'");
  REQUIRE(m);
  CHECK(m->name == "END");
  CHECK_FALSE(m->expand);
  CHECK(m->chomp);
  CHECK(m->fd == 3);
  CHECK(marker("<<eo'f'")->name == "eof");
  CHECK_FALSE(marker("<<eo'f'")->expand);
  CHECK(marker("<<eo\\'f")->name == "eo'f");
  CHECK(marker("<<eo\\'f")->expand);
  CHECK(marker("<<'one two'")->name == "one two");
  CHECK(marker("<<$EOF")->name == "$EOF");
  CHECK(marker("<<  EOF")->name == "EOF");
  CHECK_FALSE(marker("<<"));
  CHECK_FALSE(marker("<<-"));
  CHECK_FALSE(marker("<EOF"));
  CHECK_FALSE(marker("<<<EOF"));
  CHECK_FALSE(marker("<<EOF sh"));
}

TEST_CASE("parse reads heredoc bodies for RUN, COPY and ADD", "[heredoc]") {
  SECTION("RUN with one body") {
    ParseResult r = parse("FROM a\nRUN <<EOF\necho hi\n# kept\nEOF\nRUN x\n");
    REQUIRE(r.ok());
    REQUIRE(r.ast.children.size() == 3);
    const Node& run = r.ast.children[1];
    REQUIRE(run.heredocs.size() == 1);
    CHECK(run.heredocs[0].content == "echo hi\n# kept\n");
    CHECK(run.end_line == 5);
    CHECK(dump(run) == "run \"<<EOF\"");
  }
  SECTION("several heredocs on one line, read in order") {
    ParseResult r = parse("COPY <<X <<Y /dst\nY\nX\nX\nY\n");
    REQUIRE(r.ok());
    const auto& docs = r.ast.children[0].heredocs;
    REQUIRE(docs.size() == 2);
    CHECK(docs[0].content == "Y\n");
    CHECK(docs[1].content == "X\n");
  }
  SECTION("chomp compares the terminator without leading TABs") {
    ParseResult r = parse("ADD <<-EOF /x\n\tbody\n\tEOF\n");
    REQUIRE(r.ok());
    CHECK(r.ast.children[0].heredocs[0].content == "\tbody\n");
    CHECK(chomp_heredoc("\tbody\n\t\tx\n") == "body\nx\n");
  }
  SECTION("not a heredoc: JSON form, quoted marker, other instructions") {
    CHECK(parse("RUN [\"<<EOF\"]\n").ast.children[0].heredocs.empty());
    CHECK(parse("RUN \"<<EOF\"\n").ast.children[0].heredocs.empty());
    ParseResult r = parse("USER <<X\nRUN y\n");
    CHECK(r.ast.children.size() == 2);
  }
  SECTION("an unterminated heredoc is an error") {
    ParseResult r = parse("RUN <<EOF\necho\n");
    REQUIRE_FALSE(r.ok());
    CHECK(r.diagnostics[0].message == "unterminated heredoc");
  }
  SECTION("ONBUILD RUN can carry a heredoc") {
    ParseResult r = parse("ONBUILD RUN <<EOF\nx\nEOF\n");
    REQUIRE(r.ok());
    CHECK(r.ast.children[0].heredocs.size() == 1);
  }
}
