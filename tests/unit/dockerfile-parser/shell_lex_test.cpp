#include "dockerfile-parser/shell_lex.h"

#include <catch2/catch.hpp>

using namespace dockerfile;

namespace {

Env test_env() {
  Env env;
  env.set("V", "value");
  env.set("EMPTY", "");
  env.set("PATH_", "/usr/local/bin:/usr/bin");
  env.set("FILE", "archive.tar.gz");
  env.set("SPACED", " a  b ");
  return env;
}

std::string word(std::string_view in, ShellLexOptions options = {}) {
  ExpandResult r = ShellLex(options).expand_word(in, test_env());
  return r.ok ? r.word : "ERROR: " + r.error;
}

std::vector<std::string> words(std::string_view in) {
  ExpandResult r = ShellLex().expand_words(in, test_env());
  return r.ok ? r.words : std::vector<std::string>{"ERROR"};
}

bool fails(std::string_view in) {
  return !ShellLex().expand_word(in, test_env()).ok;
}

} // namespace

TEST_CASE("ShellLex expands plain and braced variables", "[shell_lex]") {
  CHECK(word("$V") == "value");
  CHECK(word("${V}") == "value");
  CHECK(word("a${V}b") == "avalueb");
  CHECK(word("$Vx") == ""); // the name is Vx, unset
  CHECK(word("$UNSET") == "");
  CHECK(word("$1x") == "x"); // positional: digits only
  CHECK(word("$.") == "$.");
  CHECK(word("cost: $") == "cost: $");
}

TEST_CASE("ShellLex default and alternative operators distinguish unset and empty", "[shell_lex]") {
  CHECK(word("${UNSET:-w}") == "w");
  CHECK(word("${EMPTY:-w}") == "w");
  CHECK(word("${EMPTY-w}") == "");
  CHECK(word("${UNSET-w}") == "w");
  CHECK(word("${V:-w}") == "value");
  CHECK(word("${V:+w}") == "w");
  CHECK(word("${EMPTY:+w}") == "");
  CHECK(word("${EMPTY+w}") == "w");
  CHECK(word("${UNSET+w}") == "");
  CHECK(word("${UNSET:-${V}}") == "value"); // nested
}

TEST_CASE("ShellLex error operators fail with the message", "[shell_lex]") {
  CHECK(word("${V:?msg}") == "value");
  CHECK(word("${EMPTY?msg}") == "");
  ExpandResult r = ShellLex().expand_word("${EMPTY:?must be set $V}", test_env());
  REQUIRE_FALSE(r.ok);
  CHECK(r.error.find("EMPTY: must be set value") != std::string::npos);
  r = ShellLex().expand_word("${UNSET?}", test_env());
  REQUIRE_FALSE(r.ok);
  CHECK(r.error.find("UNSET: is not allowed to be unset") != std::string::npos);
  r = ShellLex().expand_word("${EMPTY:?}", test_env());
  CHECK(r.error.find("EMPTY: is not allowed to be empty") != std::string::npos);
}

TEST_CASE("ShellLex prefix and suffix removal", "[shell_lex]") {
  CHECK(word("${FILE#*.}") == "tar.gz");
  CHECK(word("${FILE##*.}") == "gz");
  CHECK(word("${FILE%.*}") == "archive.tar");
  CHECK(word("${FILE%%.*}") == "archive");
  CHECK(word("${FILE#nomatch}") == "archive.tar.gz");
  CHECK(word("${PATH_#/usr/local/bin:}") == "/usr/bin");
  CHECK(word("${FILE#arch?ve}") == ".tar.gz");
  CHECK(fails("${FILE%\\.gz}")); // only backslash-star, -question and -backslash are valid
  CHECK(fails("${FILE:#x}"));
  CHECK(fails("${FILE:%x}"));
}

TEST_CASE("ShellLex pattern replacement", "[shell_lex]") {
  CHECK(word("${PATH_/usr/opt}") == "/opt/local/bin:/usr/bin");
  CHECK(word("${PATH_//usr/opt}") == "/opt/local/bin:/opt/bin");
  CHECK(word("${PATH_//\\//_}") == "_usr_local_bin:_usr_bin");
  CHECK(word("${FILE/*./X}") == "Xgz"); // greedy star
  CHECK(word("${FILE//a/$V}") == "valuerchive.tvaluer.gz");
  CHECK(word("${UNSET/a/b}") == "");
  CHECK(fails("${FILE/a"));
}

TEST_CASE("ShellLex quoting and escapes", "[shell_lex]") {
  CHECK(word("'$V'") == "$V");
  CHECK(word("\"$V\"") == "value");
  CHECK(word("\\$V") == "$V");
  CHECK(word("\"a\\\"b\"") == "a\"b");
  CHECK(word("\"a\\tb\"") == "a\\tb"); // unknown escape inside "" stays
  CHECK(word("a\\") == "a");
  CHECK(fails("'open"));
  CHECK(fails("\"open"));
  CHECK(fails("${V"));
  CHECK(fails("${}"));
  CHECK(fails("${V=x}"));
}

TEST_CASE("ShellLex honours a backtick escape token", "[shell_lex]") {
  ShellLexOptions options;
  options.escape = '`';
  CHECK(word("`$V", options) == "$V");
  CHECK(word("C:\\dir", options) == "C:\\dir");
}

TEST_CASE("ShellLex options keep quotes, escapes and unset variables", "[shell_lex]") {
  ShellLexOptions keep;
  keep.keep_unset = true;
  CHECK(word("$UNSET ${UNSET} ${UNSET:-x} $V", keep) == "$UNSET ${UNSET} ${UNSET:-x} value");
  ShellLexOptions raw;
  raw.raw_quotes = true;
  CHECK(word("'a' \"b\"", raw) == "'a' \"b\"");
  ShellLexOptions no_quotes;
  no_quotes.no_quote_processing = true;
  CHECK(word("'$V'", no_quotes) == "'value'");
}

TEST_CASE("ShellLex word splitting happens after expansion, not inside quotes", "[shell_lex]") {
  CHECK(words("a b  c") == std::vector<std::string>{"a", "b", "c"});
  CHECK(words("$SPACED") == std::vector<std::string>{"a", "b"});
  CHECK(words("\"$SPACED\"") == std::vector<std::string>{" a  b "});
  CHECK(words("a\\ b") == std::vector<std::string>{"a b"});
  CHECK(words("a \"\" b") == std::vector<std::string>{"a", "b"});
  // BuildKit quirk kept on purpose: an operator expansion drops the part of
  // the word before it (word mode only).
  CHECK(words("a${UNSET:-q}") == std::vector<std::string>{"q"});
  CHECK(word("a${UNSET:-q}") == "aq");
}

TEST_CASE("ShellLex reports used and unset variable names", "[shell_lex]") {
  ExpandResult r = ShellLex().expand_word("$V ${UNSET:-x} $EMPTY", test_env());
  CHECK(r.used == std::set<std::string>{"V", "EMPTY"});
  CHECK(r.unset == std::set<std::string>{"UNSET"});
}

TEST_CASE("ShellLex bounds nesting depth instead of overflowing", "[shell_lex]") {
  std::string deep;
  for (int i = 0; i < 5000; ++i) {
    deep += "${A:-";
  }
  CHECK(fails(deep));
}
