// cbuild: a daemonless image builder. This file only wires the command line to
// the builder library; each subcommand lives in builder/cli/.
#include "builder/cli/cli.h"
#include "builder/version.h"
#include "core/error.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  CLI::App app{"cbuild: build, run and ship container images without a daemon"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(builder::version()));
  builder::cli::GlobalOptions global;
  app.add_option("--root", global.root,
                 "Local store directory (default /var/lib/cbuild as root, "
                 "$XDG_DATA_HOME/cbuild otherwise)");

  int exit_code = 0;
  builder::cli::add_parse_command(app, global, exit_code);
  builder::cli::add_run_command(app, global, exit_code);
  builder::cli::add_image_commands(app, global, exit_code);
  builder::cli::add_build_command(app, global, exit_code);
  builder::cli::add_transfer_commands(app, global);
  builder::cli::add_registry_commands(app, global);
  builder::cli::add_store_commands(app, global);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const core::InputError& e) {
    std::fprintf(stderr, "cbuild: error: %s\n", e.what());
    return 2;
  } catch (const core::Error& e) {
    std::fprintf(stderr, "cbuild: error: %s\n", e.what());
    return 1;
  }
  return exit_code;
}
