#include "builder/run_heredoc.h"
#include "test_util.h"

#include <catch2/catch.hpp>

namespace {

std::vector<std::string> argv_of(const std::string& text) {
  dockerfile::Dockerfile file = builder::test::typed("FROM scratch\n" + text);
  const auto* run = file.stages.at(0).instructions.at(0).as<dockerfile::RunInstruction>();
  REQUIRE(run);
  return builder::heredoc_run_argv(run->command, core::ImageConfig{});
}

} // namespace

TEST_CASE("RUN <<EOF alone runs the body as the shell's script") {
  CHECK(argv_of("RUN <<EOF\necho a\necho b\nEOF\n") ==
        std::vector<std::string>{"/bin/sh", "-c", "echo a\necho b\n"});
  CHECK(argv_of("RUN <<-\"EOF\"\n\techo a\n\tEOF\n") ==
        std::vector<std::string>{"/bin/sh", "-c", "echo a\n"});
}

TEST_CASE("RUN with a heredoc not alone hands the line and the bodies to the shell") {
  CHECK(argv_of("RUN python3 <<EOF\nprint(1)\nEOF\n") ==
        std::vector<std::string>{"/bin/sh", "-c", "python3 <<EOF\nprint(1)\nEOF"});
  CHECK(argv_of("RUN <<A cat - <<B >/two\nfrom A\nA\nfrom B\nB\n") ==
        std::vector<std::string>{"/bin/sh", "-c", "<<A cat - <<B >/two\nfrom A\nA\nfrom B\nB"});
}

TEST_CASE("RUN <<EOF with a #! line runs the body through its interpreter") {
  CHECK(argv_of("RUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n") ==
        std::vector<std::string>{"/bin/sh", "-c",
                                 "'/usr/bin/env' 'python3' /dev/fd/3 3<<'EOF'\n"
                                 "#!/usr/bin/env python3\nprint(1)\nEOF"});
}

TEST_CASE("the lone heredoc marker is recognised in its spellings only") {
  dockerfile::InlineFile file;
  file.name = "EOF";
  for (const char* yes : {"<<EOF", "<<-EOF", "<<\"EOF\"", "<<'EOF'", "<< EOF", "<<-'EOF' "}) {
    CHECK(builder::is_lone_heredoc_marker(yes, file));
  }
  for (const char* no : {"cat <<EOF", "<<EOF cat", "<<EOFX", "<EOF"}) {
    CHECK_FALSE(builder::is_lone_heredoc_marker(no, file));
  }
}
