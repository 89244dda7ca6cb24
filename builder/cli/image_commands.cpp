// cbuild images | tag | rmi | inspect | history | import: the local image store
// from the command line, with docker's wording and columns.
#include "builder/cli/cli.h"

#include "builder/build_lock.h"
#include "builder/cli/table.h"
#include "builder/image_import.h"
#include "builder/store_prune.h"
#include "core/error.h"
#include "core/layer_writer.h"
#include "core/time_util.h"
#include "registry/image_store.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>

namespace builder::cli {

namespace {

using registry::ImageStore;

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// The manifest a name or id refers to, or an InputError that says so.
core::Descriptor require_image(const ImageStore& store, const std::string& name) {
  auto found = store.find(name);
  if (!found) {
    throw core::InputError("no such image: " + name + " (see 'cbuild images')");
  }
  return *found;
}

std::uint64_t layers_size(const registry::ImageData& image) {
  std::uint64_t total = 0;
  for (const core::Descriptor& layer : image.manifest.layers) {
    total += static_cast<std::uint64_t>(layer.size);
  }
  return total;
}

void print_images(const ImageStore& store, bool quiet) {
  if (quiet) {
    for (const registry::StoredImage& tagged : store.list()) {
      std::printf("%s\n", std::string(store.read(tagged.manifest).id().short_hex()).c_str());
    }
    return;
  }
  Table table({"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"});
  std::int64_t now = now_seconds();
  for (const registry::StoredImage& tagged : store.list()) {
    registry::ImageData image = store.read(tagged.manifest);
    std::string repo = tagged.reference.familiar();
    repo = repo.substr(0, repo.rfind(':'));
    table.add({repo, tagged.reference.tag, std::string(image.id().short_hex()),
               core::human_age(core::parse_rfc3339(image.config.created), now),
               core::human_size(layers_size(image))});
  }
  std::fputs(table.str().c_str(), stdout);
}

void print_history(const registry::ImageData& image, bool no_trunc) {
  Table table({"IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"});
  std::int64_t now = now_seconds();
  size_t layer = image.manifest.layers.size();
  const auto& history = image.config.history;
  for (size_t i = history.size(); i-- > 0;) {
    const core::HistoryEntry& h = history[i];
    std::string size = "0B";
    if (!h.empty_layer && layer > 0) {
      --layer;
      size = core::human_size(static_cast<std::uint64_t>(image.manifest.layers[layer].size));
    }
    std::string id = i + 1 == history.size() ? std::string(image.id().short_hex()) : "<missing>";
    std::string by = h.created_by;
    if (!no_trunc && by.size() > 45) {
      by = by.substr(0, 44) + "…";
    }
    table.add({id, core::human_age(core::parse_rfc3339(h.created), now), by, size, h.comment});
  }
  std::fputs(table.str().c_str(), stdout);
}

nlohmann::json inspect_json(const ImageStore& store, const registry::ImageData& image) {
  nlohmann::json tags = nlohmann::json::array();
  for (const registry::StoredImage& tagged : store.list()) {
    if (tagged.manifest.digest == image.manifest_descriptor.digest) {
      tags.push_back(tagged.reference.familiar());
    }
  }
  return {{"Id", image.id().str()},
          {"RepoTags", tags},
          {"ManifestDigest", image.manifest_descriptor.digest.str()},
          {"Size", layers_size(image)},
          {"Manifest", nlohmann::json::parse(image.manifest_bytes)},
          {"Config", nlohmann::json::parse(image.config_bytes)}};
}

void add_images(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand("images", "List images in the local store");
  auto quiet = std::make_shared<bool>(false);
  cmd->add_flag("-q,--quiet", *quiet, "Only show image ids");
  cmd->callback([&global, quiet] { print_images(ImageStore(store_root(global)), *quiet); });
}

void add_tag(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand("tag", "Give an image another name");
  auto source = std::make_shared<std::string>();
  auto target = std::make_shared<std::string>();
  cmd->add_option("source", *source, "Image name or id")->required();
  cmd->add_option("target", *target, "New name[:tag]")->required();
  cmd->callback([&global, source, target] {
    ImageStore store(store_root(global));
    store.tag(require_image(store, *source), registry::parse_reference(*target));
  });
}

void add_rmi(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto* cmd = app.add_subcommand("rmi", "Remove image names, and blobs nothing uses any more");
  auto names = std::make_shared<std::vector<std::string>>();
  cmd->add_option("images", *names, "Image names")->required();
  cmd->callback([&global, &exit_code, names] {
    ImageStore store(store_root(global));
    for (const std::string& name : *names) {
      auto ref = registry::try_parse_reference(name);
      if (ref && store.untag(*ref)) {
        std::printf("Untagged: %s\n", ref->familiar().c_str());
        continue;
      }
      std::fprintf(stderr, "cbuild: error: no such image: %s\n", name.c_str());
      exit_code = 1;
    }
    // Blobs go only when no build runs (it may be writing blobs no tag
    // reaches yet), and the build cache's layers stay for the next build.
    auto lock = BuildLock::try_acquire(store.root(), BuildLock::Mode::exclusive);
    if (lock) {
      store.prune_blobs(cache_blob_roots(store.root()));
    }
  });
}

void add_inspect(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand("inspect", "Show an image's manifest and config as JSON");
  auto names = std::make_shared<std::vector<std::string>>();
  cmd->add_option("images", *names, "Image names or ids")->required();
  cmd->callback([&global, names] {
    ImageStore store(store_root(global));
    nlohmann::json out = nlohmann::json::array();
    for (const std::string& name : *names) {
      out.push_back(inspect_json(store, store.read(require_image(store, name))));
    }
    std::cout << out.dump(4) << "\n";
  });
}

void add_history(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand("history", "Show the history of an image");
  auto name = std::make_shared<std::string>();
  auto no_trunc = std::make_shared<bool>(false);
  cmd->add_flag("--no-trunc", *no_trunc, "Do not truncate output");
  cmd->add_option("image", *name, "Image name or id")->required();
  cmd->callback([&global, name, no_trunc] {
    ImageStore store(store_root(global));
    print_history(store.read(require_image(store, *name)), *no_trunc);
  });
}

void add_import(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand(
      "import", "Make a one-layer image from a root file system (a directory or a tar)");
  struct Args {
    std::string source, name, compression = "gzip", message;
    std::vector<std::string> env, cmd;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("source", args->source, "Directory or tar (plain, gzip, zstd)")->required();
  cmd->add_option("name", args->name, "Name[:tag] for the new image")->required();
  cmd->add_option("--compression", args->compression, "gzip, zstd or none")
      ->check(CLI::IsMember({"gzip", "zstd", "none"}));
  cmd->add_option("-m,--message", args->message, "History comment");
  cmd->add_option("--env", args->env, "KEY=VALUE for the image's Env (repeatable)");
  cmd->add_option("--cmd", args->cmd, "The image's Cmd, one argument per flag");
  cmd->callback([&global, args] {
    registry::Reference ref = registry::parse_reference(args->name);
    ImageStore store(store_root(global));
    ImportOptions options;
    options.compression = *core::parse_compression(args->compression);
    options.source_date_epoch = core::source_date_epoch_from_env();
    options.message = args->message;
    options.config.env = args->env;
    options.config.cmd = args->cmd;
    core::Descriptor manifest = import_rootfs(store, args->source, options);
    store.tag(manifest, ref);
    std::printf("%s\n", store.read(manifest).id().str().c_str());
  });
}

} // namespace

std::filesystem::path store_root(const GlobalOptions& global) {
  return global.root.empty() ? ImageStore::default_root() : std::filesystem::path(global.root);
}

void add_image_commands(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  add_images(app, global);
  add_tag(app, global);
  add_rmi(app, global, exit_code);
  add_inspect(app, global);
  add_history(app, global);
  add_import(app, global);
}

} // namespace builder::cli
