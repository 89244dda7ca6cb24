// Golden files: tests/golden/dockerfile/<case>/Dockerfile with either
//   ast.txt     the BuildKit-format dump of the AST, or
//   errors.txt  every rendered diagnostic (parse, then typed), verbatim.
#include "dockerfile-parser/instructions.h"
#include "dockerfile-parser/instructions_json.h"
#include "dockerfile-parser/parser.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using namespace dockerfile;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string rendered_diagnostics(const std::string& text) {
  ParseResult parsed = parse(text, "Dockerfile");
  std::string out;
  for (const auto& d : parsed.diagnostics) {
    out += core::render(d, text);
  }
  Dockerfile typed = to_instructions(parsed.ast, "Dockerfile", text);
  for (const auto& d : typed.diagnostics) {
    out += core::render(d, text);
  }
  return out;
}

} // namespace

TEST_CASE("golden Dockerfiles give their recorded AST or errors", "[golden]") {
  const fs::path root = CBUILD_GOLDEN_DIR;
  REQUIRE(fs::is_directory(root));
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(root)) {
    const fs::path dir = entry.path();
    const std::string text = read_file(dir / "Dockerfile");
    INFO("case " << dir.filename().string());
    // Every case also goes through the typed layer and JSON: the fuzz-*
    // cases are inputs that once crashed there (run under ASan in CI).
    Dockerfile typed = to_instructions(parse(text).ast, "Dockerfile", text);
    CHECK_FALSE(
        to_json(typed).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).empty());
    if (fs::exists(dir / "ast.txt")) {
      ParseResult r = parse(text, "Dockerfile");
      CHECK(r.ok());
      CHECK(dump(r.ast) == read_file(dir / "ast.txt"));
      ++cases;
    }
    if (fs::exists(dir / "errors.txt")) {
      CHECK(rendered_diagnostics(text) == read_file(dir / "errors.txt"));
      ++cases;
    }
  }
  CHECK(cases >= 4);
}
