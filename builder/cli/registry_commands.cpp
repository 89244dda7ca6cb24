// cbuild pull | push | login | logout: move images between the local store and
// registries over the distribution API (registry/), with docker's wording.
#include "builder/cli/cli.h"

#include "core/error.h"
#include "registry/auth.h"
#include "registry/image_store.h"
#include "registry/progress.h"
#include "registry/pull.h"
#include "registry/push.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

namespace builder::cli {

namespace {

using registry::ImageStore;

struct PullArgs {
  RegistryFlags registry;
  std::string reference;
  bool quiet = false;
};

struct PushArgs {
  RegistryFlags registry;
  std::string image;
  std::string destination;
  bool quiet = false;
};

struct LoginArgs {
  RegistryFlags registry;
  std::string server = "docker.io";
  std::string username;
  std::string password;
  bool password_stdin = false;
};

void pull(const GlobalOptions& global, const PullArgs& args) {
  registry::Reference ref = registry::parse_reference(args.reference);
  ImageStore store(store_root(global));
  registry::PullOptions options = pull_options(args.registry);
  options.show_progress = !args.quiet && registry::ProgressBoard::is_tty(stderr);
  if (!args.quiet) {
    std::printf("%s: Pulling from %s\n", ref.digest ? ref.digest->str().c_str() : ref.tag.c_str(),
                ref.path.c_str());
    std::fflush(stdout);
  }
  registry::PullResult result = registry::pull_to_store(ref, store, options);
  if (args.quiet) {
    std::printf("%s\n", ref.str().c_str());
    return;
  }
  std::printf("Digest: %s\n",
              (result.index ? *result.index : result.manifest.digest).str().c_str());
  if (result.index) {
    std::printf("Platform: %s (manifest %s)\n",
                result.platform.empty() ? "?" : result.platform.c_str(),
                result.manifest.digest.str().c_str());
  }
  std::printf("Status: %s for %s (%zu blobs fetched, %s; %zu already present)\n",
              result.blobs_fetched ? "Downloaded newer image" : "Image is up to date",
              ref.familiar().c_str(), result.blobs_fetched,
              registry::human_size(result.bytes_fetched).c_str(), result.blobs_present);
  std::printf("%s\n", ref.str().c_str());
}

void push(const GlobalOptions& global, const PushArgs& args) {
  ImageStore store(store_root(global));
  std::optional<core::Descriptor> manifest = store.find(args.image);
  if (!manifest) {
    throw core::InputError("no such image: " + args.image + " (see 'cbuild images')");
  }
  std::string target = args.destination.empty() ? args.image : args.destination;
  registry::Reference dest = registry::parse_reference(target);
  registry::PushOptions options{.client = client_options(args.registry)};
  options.show_progress = !args.quiet && registry::ProgressBoard::is_tty(stderr);
  if (!args.quiet) {
    std::printf("The push refers to repository [%s]\n", dest.repository().c_str());
    std::fflush(stdout);
  }
  registry::PushResult result = registry::push_image(store, *manifest, dest, options);
  if (args.quiet) {
    std::printf("%s\n", result.digest.str().c_str());
    return;
  }
  std::printf("%zu blobs pushed (%s), %zu mounted, %zu already there\n",
              result.stats.blobs_uploaded,
              registry::human_size(result.stats.bytes_uploaded).c_str(), result.stats.blobs_mounted,
              result.stats.blobs_skipped);
  std::printf("%s: digest: %s size: %lld\n",
              dest.digest ? dest.digest->str().c_str() : dest.tag.c_str(),
              result.digest.str().c_str(), static_cast<long long>(manifest->size));
}

/// "localhost:5000", "https://host/v1/" or "docker.io" to a reference domain.
std::string normalise_server(std::string server) {
  for (std::string_view scheme : {"https://", "http://"}) {
    if (server.starts_with(scheme)) {
      server.erase(0, scheme.size());
    }
  }
  server = server.substr(0, server.find('/'));
  if (server.empty() || server == "index.docker.io" || server == "registry-1.docker.io") {
    return "docker.io";
  }
  return server;
}

void login(const LoginArgs& args) {
  std::string host = normalise_server(args.server);
  registry::Credentials credentials{args.username, args.password};
  if (args.password_stdin) {
    std::getline(std::cin, credentials.password);
  }
  if (credentials.username.empty() || credentials.password.empty()) {
    throw core::InputError("login " + host +
                           ": give --username and --password (or --password-stdin)");
  }
  registry::ClientOptions options = client_options(args.registry);
  options.credentials = credentials;
  // Any repository name works for the check: GET /v2/ needs no scope.
  registry::RegistryClient client(host, "library/login-check", registry::Access::pull, options);
  client.ping();
  registry::DockerConfig config(registry::DockerConfig::default_path());
  config.store(host, credentials);
  std::printf("Login Succeeded (credentials stored in %s)\n", config.path().c_str());
}

void logout(const std::string& server) {
  std::string host = normalise_server(server);
  registry::DockerConfig config(registry::DockerConfig::default_path());
  if (config.erase(host)) {
    std::printf("Removing login credentials for %s\n", host.c_str());
  } else {
    std::printf("Not logged in to %s\n", host.c_str());
  }
}

} // namespace

void add_registry_flags(CLI::App& command, RegistryFlags& flags) {
  command.add_option("--insecure-registry", flags.insecure,
                     "Reach this registry HOST[:PORT] over plain HTTP (localhost always is)");
  command.add_option("--chunk-size", flags.chunk_size,
                     "Upload blobs in PATCH chunks of this many bytes (0: one PUT per blob)");
}

registry::ClientOptions client_options(const RegistryFlags& flags) {
  return {.insecure_registries = flags.insecure, .chunk_size = flags.chunk_size};
}

registry::PullOptions pull_options(const RegistryFlags& flags) {
  registry::PullOptions options{.client = client_options(flags)};
  if (!flags.platform.empty()) {
    options.platform = registry::parse_platform_spec(flags.platform);
  }
  return options;
}

void push_tags(const ImageStore& store, const core::Descriptor& manifest,
               const std::vector<registry::Reference>& tags, const RegistryFlags& flags,
               bool quiet) {
  registry::PushOptions options{.client = client_options(flags)};
  options.show_progress = !quiet && registry::ProgressBoard::is_tty(stderr);
  for (const registry::Reference& tag : tags) {
    registry::PushResult result = registry::push_image(store, manifest, tag, options);
    if (!quiet) {
      std::fprintf(stderr,
                   "pushed %s: digest: %s (%zu blobs pushed, %zu mounted, %zu already there)\n",
                   tag.str().c_str(), result.digest.str().c_str(), result.stats.blobs_uploaded,
                   result.stats.blobs_mounted, result.stats.blobs_skipped);
    }
  }
}

void add_registry_commands(CLI::App& app, const GlobalOptions& global) {
  auto pull_args = std::make_shared<PullArgs>();
  auto* pull_cmd = app.add_subcommand("pull", "Download an image from a registry into the store");
  pull_cmd->add_option("reference", pull_args->reference, "NAME[:TAG|@DIGEST]")->required();
  pull_cmd->add_option(
      "--platform", pull_args->registry.platform,
      "os/arch[/variant] to take from a multi-platform image (default linux/amd64)");
  pull_cmd->add_flag("-q,--quiet", pull_args->quiet, "Print only the reference");
  add_registry_flags(*pull_cmd, pull_args->registry);
  pull_cmd->callback([&global, pull_args] { pull(global, *pull_args); });

  auto push_args = std::make_shared<PushArgs>();
  auto* push_cmd = app.add_subcommand("push", "Upload an image from the store to a registry");
  push_cmd->add_option("image", push_args->image, "Image in the store (name or id)")->required();
  push_cmd->add_option("destination", push_args->destination,
                       "Registry reference to push to (default: the image's name)");
  push_cmd->add_flag("-q,--quiet", push_args->quiet, "Print only the manifest digest");
  add_registry_flags(*push_cmd, push_args->registry);
  push_cmd->callback([&global, push_args] { push(global, *push_args); });

  auto login_args = std::make_shared<LoginArgs>();
  auto* login_cmd = app.add_subcommand("login", "Check and store credentials for a registry");
  login_cmd->add_option("server", login_args->server, "Registry host (default docker.io)");
  login_cmd->add_option("-u,--username", login_args->username, "User name");
  login_cmd->add_option("-p,--password", login_args->password, "Password (visible in ps)");
  login_cmd->add_flag("--password-stdin", login_args->password_stdin,
                      "Read the password from standard input");
  add_registry_flags(*login_cmd, login_args->registry);
  login_cmd->callback([login_args] { login(*login_args); });

  auto server = std::make_shared<std::string>("docker.io");
  auto* logout_cmd = app.add_subcommand("logout", "Remove stored credentials for a registry");
  logout_cmd->add_option("server", *server, "Registry host (default docker.io)");
  logout_cmd->callback([server] { logout(*server); });
}

} // namespace builder::cli
