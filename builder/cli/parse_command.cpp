// `cbuild parse [-f Dockerfile] [--format buildkit|json]`: parse a Dockerfile
// and print its AST (BuildKit's dump format) or its typed instructions (JSON).
#include "builder/cli/cli.h"

#include "core/diagnostic.h"
#include "core/error.h"
#include "dockerfile-parser/instructions.h"
#include "dockerfile-parser/instructions_json.h"
#include "dockerfile-parser/parser.h"

#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace builder::cli {

namespace {

struct ParseOptions {
  std::string file = "Dockerfile";
  std::string format = "buildkit";
};

std::string read_input(const std::string& file) {
  if (file == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), {});
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    core::throw_errno("reading Dockerfile", file);
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void print_diagnostics(const std::vector<core::Diagnostic>& diagnostics, std::string_view text) {
  for (const core::Diagnostic& d : diagnostics) {
    std::cerr << core::render(d, text);
  }
}

int run_parse(const ParseOptions& options) {
  const std::string text = read_input(options.file);
  const std::string name = options.file == "-" ? "Dockerfile" : options.file;
  dockerfile::ParseResult parsed = dockerfile::parse(text, name);
  print_diagnostics(parsed.diagnostics, text);
  if (options.format == "buildkit") {
    if (!parsed.ok()) {
      return 1;
    }
    std::cout << dockerfile::dump(parsed.ast);
    return 0;
  }
  dockerfile::Dockerfile typed = dockerfile::to_instructions(parsed.ast, name, text);
  print_diagnostics(typed.diagnostics, text);
  if (!parsed.ok() || !typed.ok()) {
    return 1;
  }
  // Replace invalid UTF-8 rather than fail: Dockerfiles are not always UTF-8.
  std::cout << dockerfile::to_json(typed).dump(2, ' ', false,
                                               nlohmann::json::error_handler_t::replace)
            << "\n";
  return 0;
}

} // namespace

void add_parse_command(CLI::App& app, const GlobalOptions&, int& exit_code) {
  auto options = std::make_shared<ParseOptions>();
  CLI::App* cmd = app.add_subcommand(
      "parse", "Parse a Dockerfile; print its AST (BuildKit dump) or typed instructions (JSON)");
  cmd->add_option("-f,--file", options->file, "Dockerfile to read ('-' for stdin)")
      ->capture_default_str();
  cmd->add_option("--format", options->format, "Output: buildkit (AST dump) or json (typed)")
      ->check(CLI::IsMember({"buildkit", "json"}))
      ->capture_default_str();
  cmd->callback([options, &exit_code] { exit_code = run_parse(*options); });
}

} // namespace builder::cli
