#pragma once

#include <filesystem>
#include <string>

namespace CLI {
class App;
}

namespace builder::cli {

/// Options given before the subcommand (`cbuild --root DIR build …`).
struct GlobalOptions {
  std::string root; ///< local store directory; empty means the default
};

/// Each function adds one subcommand to `app`. Its callback runs the command and
/// writes the process exit code to `exit_code` (0 ok, 1 failed, 2 usage/input).
/// Callbacks may throw core::Error (exit 1) or core::InputError (exit 2); main()
/// catches and prints them in one place.
void add_parse_command(CLI::App& app, const GlobalOptions& global, int& exit_code);
void add_run_command(CLI::App& app, const GlobalOptions& global, int& exit_code);
/// images, tag, rmi, inspect, history, import, save, load.
void add_image_commands(CLI::App& app, const GlobalOptions& global, int& exit_code);

/// build: the build engine (builder/executor.h).
void add_build_command(CLI::App& app, const GlobalOptions& global, int& exit_code);

/// save, load.
void add_transfer_commands(CLI::App& app, const GlobalOptions& global);

/// The store root: --root, else registry::ImageStore::default_root().
std::filesystem::path store_root(const GlobalOptions& global);

} // namespace builder::cli
