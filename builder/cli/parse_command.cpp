#include "builder/cli/cli.h"

#include "core/error.h"

#include <CLI/CLI.hpp>

namespace builder::cli {

void add_parse_command(CLI::App& app, const GlobalOptions&, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("parse", "Parse a Dockerfile and print its AST");
  cmd->allow_extras();
  cmd->callback([&exit_code] {
    exit_code = 2;
    throw core::InputError("parse: not implemented yet");
  });
}

} // namespace builder::cli
