#include "builder/progress.h"

#include <catch2/catch.hpp>

#include <regex>
#include <sstream>

using builder::Progress;
using builder::ProgressMode;

TEST_CASE("build --progress values") {
  CHECK(builder::parse_progress_mode("auto", true) == ProgressMode::tty);
  CHECK(builder::parse_progress_mode("auto", false) == ProgressMode::plain);
  CHECK(builder::parse_progress_mode("plain", true) == ProgressMode::plain);
  CHECK(builder::parse_progress_mode("quiet", true) == ProgressMode::quiet);
  CHECK_FALSE(builder::parse_progress_mode("fancy", true));
}

TEST_CASE("plain progress: numbered steps, timed output lines, DONE and CACHED") {
  std::ostringstream out;
  Progress progress(ProgressMode::plain, out, 1);
  progress.start(0, 1, "[1/2]", "FROM scratch");
  progress.cached(0, 1);
  progress.start(0, 2, "[2/2]", "RUN make");
  progress.output(0, 2, "compiling\npart");
  progress.output(0, 2, "ial\n");
  progress.output(0, 2, "no newline");
  progress.done(0, 2);
  std::string text = out.str();
  CHECK(text.find("#1 [1/2] FROM scratch\n#1 CACHED\n") == 0);
  CHECK(std::regex_search(text, std::regex("#2 [0-9]+\\.[0-9]{3} compiling\n")));
  CHECK(std::regex_search(text, std::regex("#2 [0-9]+\\.[0-9]{3} partial\n")));
  CHECK(
      std::regex_search(text, std::regex("#2 [0-9]+\\.[0-9]{3} no newline\n#2 DONE [0-9.]+s\n$")));
}

TEST_CASE("plain progress keeps the build order when stages interleave") {
  std::ostringstream out;
  Progress progress(ProgressMode::plain, out, 3);
  progress.start(1, 5, "[b 1/2]", "FROM scratch");
  progress.start(0, 1, "[a 1/2]", "FROM scratch");
  progress.done(1, 5);
  progress.finish_slot(1);
  CHECK(out.str() == "#1 [a 1/2] FROM scratch\n"); // slot 1 waits for slot 0
  progress.start(2, 9, "[c 1/1]", "FROM scratch");
  progress.done(0, 1);
  progress.finish_slot(0);
  std::string text = out.str();
  size_t a = text.find("#1 DONE");
  size_t b = text.find("#5 [b 1/2]");
  size_t c = text.find("#9 [c 1/1]");
  REQUIRE(a != std::string::npos);
  REQUIRE(b != std::string::npos);
  REQUIRE(c != std::string::npos);
  CHECK(a < b);
  CHECK(b < c); // slot 2 streams once slots 0 and 1 are done
}

TEST_CASE("tty progress redraws running steps and leaves finished ones") {
  std::ostringstream out;
  Progress progress(ProgressMode::tty, out, 1);
  progress.start(0, 1, "[1/1]", "RUN make");
  progress.output(0, 1, "line one\n");
  progress.done(0, 1);
  std::string text = out.str();
  CHECK(text.find("\x1b[") != std::string::npos); // cursor movement of the live view
  CHECK(text.find("line one") != std::string::npos);
  CHECK(std::regex_search(text, std::regex("#1 \\[1/1\\] RUN make\n#1 DONE [0-9.]+s\n$")));
}

TEST_CASE("quiet progress prints nothing") {
  std::ostringstream out;
  Progress progress(ProgressMode::quiet, out, 2);
  progress.note(1, 3, "cache miss: --no-cache was given");
  progress.cached(1, 3);
  progress.finish_slot(1);
  CHECK(out.str().empty());
}
