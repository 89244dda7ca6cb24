// cbuild save | load: move images between the local store and the three
// transport formats (docker-archive, OCI archive, OCI layout directory).
#include "builder/cli/cli.h"

#include "core/content_store.h"
#include "core/docker_archive.h"
#include "core/error.h"
#include "core/image_export.h"
#include "core/image_source.h"
#include "core/oci_archive.h"
#include "core/oci_layout.h"
#include "registry/image_store.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

namespace builder::cli {

namespace {

using registry::ImageStore;

struct SaveArgs {
  std::string output;
  std::string format = "docker";
  std::vector<std::string> images;
};

void save(const GlobalOptions& global, const SaveArgs& args) {
  ImageStore store(store_root(global));
  std::vector<core::ExportImage> exports;
  for (const std::string& name : args.images) {
    auto manifest = store.find(name);
    if (!manifest) {
      throw core::InputError("no such image: " + name + " (see 'cbuild images')");
    }
    core::ExportImage image{.manifest_bytes = store.blobs().read_all(manifest->digest),
                            .names = {}};
    if (auto ref = registry::try_parse_reference(name)) {
      image.names.push_back(ref->familiar());
    }
    exports.push_back(std::move(image));
  }
  core::BlobOpener blobs = core::blobs_from_store(store.blobs());
  if (args.format == "docker") {
    core::write_docker_archive(args.output, exports, blobs);
  } else if (args.format == "oci") {
    core::write_oci_archive(args.output, exports, blobs);
  } else {
    core::write_oci_layout(args.output, exports, blobs);
  }
}

/// Copies one image's config and layers into the store, verifying each, and
/// stores its manifest bytes unchanged.
core::Descriptor load_image(const ImageStore& store, const core::ImageSource& source,
                            const core::Image& image) {
  auto copy_blob = [&](const core::Descriptor& d) {
    if (!store.blobs().has(d.digest)) {
      std::unique_ptr<core::InputStream> in = source.open_blob(d);
      store.blobs().put(*in, d.digest, static_cast<std::uint64_t>(d.size));
    }
  };
  copy_blob(image.manifest.config);
  for (const core::Descriptor& layer : image.manifest.layers) {
    copy_blob(layer);
  }
  store.blobs().put(image.manifest_bytes, image.manifest_descriptor.digest);
  return image.manifest_descriptor;
}

void load(const GlobalOptions& global, const std::string& input) {
  ImageStore store(store_root(global));
  std::unique_ptr<core::ImageSource> source =
      core::open_image_source(core::parse_source_spec(input));
  for (const core::ImageEntry& entry : source->images()) {
    core::Image image = source->load(entry);
    core::Descriptor manifest = load_image(store, *source, image);
    bool named = false;
    for (const std::string& name : image.names) {
      if (auto ref = registry::try_parse_reference(name);
          ref && name.find(':') != std::string::npos) {
        store.tag(manifest, *ref);
        std::printf("Loaded image: %s\n", ref->familiar().c_str());
        named = true;
      }
    }
    if (!named) {
      std::printf("Loaded image ID: %s\n", image.manifest.config.digest.str().c_str());
    }
  }
}

} // namespace

void add_transfer_commands(CLI::App& app, const GlobalOptions& global) {
  auto* save_cmd =
      app.add_subcommand("save", "Write images to a docker-archive, OCI archive or OCI layout");
  auto save_args = std::make_shared<SaveArgs>();
  save_cmd->add_option("-o,--output", save_args->output, "File (or directory for oci-layout)")
      ->required();
  save_cmd
      ->add_option("--format", save_args->format,
                   "docker (docker save, default), oci (OCI archive) or oci-layout")
      ->check(CLI::IsMember({"docker", "oci", "oci-layout"}));
  save_cmd->add_option("images", save_args->images, "Image names or ids")->required();
  save_cmd->callback([&global, save_args] { save(global, *save_args); });

  auto* load_cmd =
      app.add_subcommand("load", "Load images from a docker-archive, OCI archive or oci:DIR");
  auto input = std::make_shared<std::string>();
  load_cmd->add_option("-i,--input", *input, "image.tar, oci:DIR[:ref], oci-archive:FILE")
      ->required();
  load_cmd->callback([&global, input] { load(global, *input); });
}

} // namespace builder::cli
