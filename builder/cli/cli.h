#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace core {
struct Descriptor;
}

namespace registry {
class ImageStore;
struct ClientOptions;
struct PullOptions;
struct Reference;
} // namespace registry

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

/// du, prune: disk usage and cleanup of the build cache (builder/store_prune.h).
void add_store_commands(CLI::App& app, const GlobalOptions& global);

/// save, load.
void add_transfer_commands(CLI::App& app, const GlobalOptions& global);

/// pull, push, login, logout (builder/cli/registry_commands.cpp).
void add_registry_commands(CLI::App& app, const GlobalOptions& global);

/// Flags every command that talks to a registry takes.
struct RegistryFlags {
  std::vector<std::string> insecure; ///< --insecure-registry HOST (repeatable)
  std::uint64_t chunk_size = 0;      ///< --chunk-size BYTES
  std::string platform;              ///< --platform os/arch[/variant] (pulls only)
};
/// Adds --insecure-registry and --chunk-size to `command`.
void add_registry_flags(CLI::App& command, RegistryFlags& flags);
registry::ClientOptions client_options(const RegistryFlags& flags);
/// Client options plus the parsed --platform.
registry::PullOptions pull_options(const RegistryFlags& flags);

/// Pushes `manifest` to each of `tags` (build --push), printing one line each.
void push_tags(const registry::ImageStore& store, const core::Descriptor& manifest,
               const std::vector<registry::Reference>& tags, const RegistryFlags& flags,
               bool quiet);

/// The store root: --root, else registry::ImageStore::default_root().
std::filesystem::path store_root(const GlobalOptions& global);

} // namespace builder::cli
