#include "core/image_source.h"

#include "core/archive_index.h"
#include "core/docker_archive.h"
#include "core/error.h"
#include "core/media_types.h"
#include "core/oci_archive.h"
#include "core/oci_layout.h"

#include <filesystem>

namespace core {

namespace fs = std::filesystem;

namespace {

constexpr int k_max_index_depth = 4;

std::string join_names(const std::vector<ImageEntry>& entries) {
  std::string out;
  for (const ImageEntry& e : entries) {
    for (const std::string& n : e.names) {
      out += (out.empty() ? "" : ", ") + n;
    }
    if (e.names.empty()) {
      out += (out.empty() ? "" : ", ") + e.descriptor.digest.str() + " (unnamed)";
    }
  }
  return out;
}

bool is_attestation(const Descriptor& d) {
  return d.annotation("vnd.docker.reference.type") == "attestation-manifest" ||
         (d.platform && d.platform->os == "unknown" && d.platform->architecture == "unknown");
}

/// The manifest of `index` for `wanted`; InputError naming what is available.
Descriptor choose_platform(const Index& index, const Platform& wanted, const std::string& what) {
  std::vector<const Descriptor*> candidates;
  for (const Descriptor& d : index.manifests) {
    if (!is_attestation(d)) {
      candidates.push_back(&d);
    }
  }
  for (const Descriptor* d : candidates) {
    if (d->platform && d->platform->matches(wanted)) {
      return *d;
    }
  }
  if (candidates.size() == 1 && !candidates[0]->platform) {
    return *candidates[0];
  }
  std::string available;
  for (const Descriptor* d : candidates) {
    available += (available.empty() ? "" : ", ") + (d->platform ? d->platform->str() : "unknown");
  }
  throw InputError(what + ": no manifest for " + wanted.str() +
                   " (available: " + (available.empty() ? "none" : available) + ")");
}

bool name_matches(const std::string& name, std::string_view ref) {
  if (name == ref) {
    return true;
  }
  size_t colon = name.rfind(':');
  return colon != std::string::npos && name.find('/', colon) == std::string::npos &&
         std::string_view(name).substr(colon + 1) == ref;
}

} // namespace

Image ImageSource::load(const ImageEntry& entry, const Platform& platform) const {
  Descriptor d = entry.descriptor;
  for (int depth = 0; is_index(d.media_type); ++depth) {
    std::string what = name() + ": index " + d.digest.str();
    if (depth == k_max_index_depth) {
      throw InputError(what + ": indexes nested too deeply");
    }
    d = choose_platform(parse_index(read_blob(d), what), platform, what);
  }
  if (!is_manifest(d.media_type)) {
    throw InputError(name() + ": " + d.digest.str() + ": unsupported media type '" + d.media_type +
                     "' (not an image manifest)");
  }
  std::string manifest_bytes = read_blob(d);
  Manifest manifest = parse_manifest(manifest_bytes, name() + ": manifest " + d.digest.str());
  std::string config_bytes = read_blob(manifest.config);
  ImageConfig config =
      parse_image_config(config_bytes, name() + ": config " + manifest.config.digest.str());
  return Image{.names = entry.names,
               .manifest_descriptor = d,
               .manifest_bytes = std::move(manifest_bytes),
               .manifest = std::move(manifest),
               .config_bytes = std::move(config_bytes),
               .config = std::move(config)};
}

ImageEntry ImageSource::select(std::optional<std::string_view> ref) const {
  std::vector<ImageEntry> entries = images();
  if (ref) {
    for (const ImageEntry& e : entries) {
      for (const std::string& n : e.names) {
        if (name_matches(n, *ref)) {
          return e;
        }
      }
    }
    throw InputError(name() + ": no image named '" + std::string(*ref) +
                     "' (images: " + (entries.empty() ? "none" : join_names(entries)) + ")");
  }
  if (entries.size() == 1) {
    return entries[0];
  }
  if (entries.empty()) {
    throw InputError(name() + ": holds no images");
  }
  throw InputError(name() + ": holds " + std::to_string(entries.size()) +
                   " images; name one with ':REF' (images: " + join_names(entries) + ")");
}

std::unique_ptr<InputStream> ImageSource::open_layer(const Image& image, size_t i) const {
  if (i >= image.manifest.layers.size()) {
    throw Error("open layer " + std::to_string(i) + ": the image has " +
                std::to_string(image.manifest.layers.size()) + " layers");
  }
  return open_blob(image.manifest.layers[i]);
}

std::string ImageSource::read_blob(const Descriptor& descriptor, size_t limit) const {
  std::string what = name() + ": blob " + descriptor.digest.str();
  if (static_cast<std::uint64_t>(descriptor.size) > limit) {
    throw InputError(what + ": " + std::to_string(descriptor.size) +
                     " bytes is larger than the limit of " + std::to_string(limit));
  }
  std::unique_ptr<InputStream> in = open_blob(descriptor);
  return read_all(*in, what, limit);
}

SourceSpec parse_source_spec(std::string_view spec) {
  SourceSpec out;
  for (std::string_view transport : {"oci", "oci-archive", "docker-archive"}) {
    if (spec.size() > transport.size() && spec.starts_with(transport) &&
        spec[transport.size()] == ':') {
      out.transport = std::string(transport);
      spec.remove_prefix(transport.size() + 1);
      break;
    }
  }
  std::error_code ec;
  size_t colon = spec.rfind(':');
  if (colon != std::string_view::npos && !fs::exists(fs::path(std::string(spec)), ec) &&
      spec.find('/', colon) == std::string_view::npos) {
    out.path = std::string(spec.substr(0, colon));
    out.ref = std::string(spec.substr(colon + 1));
  } else {
    out.path = std::string(spec);
  }
  return out;
}

std::unique_ptr<ImageSource> open_image_source(const SourceSpec& spec) {
  if (spec.transport == "oci") {
    return open_oci_layout(spec.path);
  }
  std::error_code ec;
  if (spec.transport.empty() && fs::is_directory(spec.path, ec)) {
    return open_oci_layout(spec.path);
  }
  ArchiveIndex archive = ArchiveIndex::open(spec.path);
  if (spec.transport == "oci-archive") {
    return open_oci_archive(std::move(archive));
  }
  if (spec.transport == "docker-archive") {
    return open_docker_archive(std::move(archive));
  }
  bool has_layout = archive.find("oci-layout") && archive.find("index.json");
  bool has_docker_manifest = archive.find("manifest.json") != nullptr;
  if (has_layout) {
    ArchiveIndex copy = archive;
    std::unique_ptr<ImageSource> oci = open_oci_archive(std::move(copy));
    // Docker 25+ may write an index.json without usable entries (moby #47210);
    // its manifest.json still describes the images.
    if (!oci->images().empty() || !has_docker_manifest) {
      return oci;
    }
  }
  if (has_docker_manifest) {
    return open_docker_archive(std::move(archive));
  }
  throw InputError(archive.name() +
                   ": manifest.json: missing (neither a docker-archive nor an OCI archive)");
}

} // namespace core
