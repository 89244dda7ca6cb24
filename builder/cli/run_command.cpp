#include "builder/cli/cli.h"

#include "core/error.h"

#include <CLI/CLI.hpp>

namespace builder::cli {

void add_run_command(CLI::App& app, const GlobalOptions&, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("run", "Run a command in an image under isolation");
  cmd->allow_extras();
  cmd->callback([&exit_code] {
    exit_code = 2;
    throw core::InputError("run: not implemented yet");
  });
}

} // namespace builder::cli
