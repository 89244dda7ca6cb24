#include "registry/pull.h"

#include "core/error.h"
#include "core/media_types.h"
#include "registry/blob_origins.h"
#include "registry/image_store.h"
#include "registry/parallel.h"
#include "registry/progress.h"

#include <atomic>

namespace registry {

namespace {

/// The manifest of the wanted platform, following one level of index.
struct Resolved {
  FetchedManifest manifest;
  std::optional<core::Digest> index;
  std::string platform;
};

Resolved resolve(RegistryClient& client, const Reference& ref, const PullOptions& options) {
  std::string wanted_ref = ref.digest ? ref.digest->str() : ref.tag;
  FetchedManifest top = client.get_manifest(wanted_ref);
  if (core::is_manifest(top.media_type)) {
    return {std::move(top), std::nullopt, ""};
  }
  if (!core::is_index(top.media_type)) {
    throw core::InputError(ref.str() + ": unsupported manifest type '" + top.media_type +
                           "' (only OCI and Docker v2 schema 2 images can be pulled)");
  }
  core::Index index = core::parse_index(top.bytes, "index " + top.digest.str());
  core::Platform wanted = options.platform.value_or(core::host_platform());
  core::Descriptor chosen = select_platform(index, wanted, ref.str());
  FetchedManifest manifest = client.get_manifest(chosen.digest.str());
  if (!core::is_manifest(manifest.media_type)) {
    throw core::InputError(ref.str() + ": index entry " + chosen.digest.str() +
                           " is not an image manifest (" + manifest.media_type + ")");
  }
  return {std::move(manifest), top.digest, chosen.platform ? chosen.platform->str() : ""};
}

void check_single_platform(const Reference& ref, const core::Manifest& manifest,
                           const std::string& config_bytes, const PullOptions& options) {
  if (!options.platform) {
    return;
  }
  nlohmann::json config = nlohmann::json::parse(config_bytes, nullptr, false);
  core::Platform actual;
  actual.os = config.is_object() ? config.value("os", "") : "";
  actual.architecture = config.is_object() ? config.value("architecture", "") : "";
  actual.variant = config.is_object() ? config.value("variant", "") : "";
  if (!actual.matches(*options.platform)) {
    throw core::Error(ref.str() + " is a single-platform image for " + actual.str() + ", not " +
                      options.platform->str() + " (config " + manifest.config.digest.str() + ")");
  }
}

/// Fetches `blobs` with `parallel` workers; the first error stops the others
/// from starting new blobs and is rethrown.
void fetch_all(RegistryClient& client, const std::vector<core::Descriptor>& blobs,
               const core::ContentStore& store, const PullOptions& options, PullResult& result) {
  ProgressBoard board(stderr, options.show_progress);
  std::vector<size_t> lines;
  for (const core::Descriptor& blob : blobs) {
    lines.push_back(
        board.add(std::string(blob.digest.short_hex()), static_cast<std::uint64_t>(blob.size)));
  }
  std::atomic<std::uint64_t> bytes{0};
  std::atomic<size_t> fetched{0};
  for_each_parallel(blobs.size(), options.parallel, [&](size_t i) {
    board.set_state(lines[i], "downloading");
    try {
      client.fetch_blob(blobs[i], store,
                        [&, i](std::uint64_t done) { board.set_done(lines[i], done); });
    } catch (...) {
      board.set_state(lines[i], "failed");
      throw;
    }
    bytes += static_cast<std::uint64_t>(blobs[i].size);
    ++fetched;
    board.set_state(lines[i], "done");
  });
  result.bytes_fetched += bytes;
  result.blobs_fetched += fetched;
}

} // namespace

core::Platform parse_platform_spec(std::string_view text) {
  core::Platform p;
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t slash = text.find('/', start);
    parts.emplace_back(text.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) {
      break;
    }
    start = slash + 1;
  }
  bool empty_part = std::any_of(parts.begin(), parts.end(), [](auto& s) { return s.empty(); });
  if (parts.size() < 2 || parts.size() > 3 || empty_part) {
    throw core::InputError("invalid platform '" + std::string(text) +
                           "': expected os/arch[/variant], e.g. linux/arm64/v8");
  }
  p.os = parts[0];
  p.architecture = parts[1];
  p.variant = parts.size() == 3 ? parts[2] : "";
  return p;
}

core::Descriptor select_platform(const core::Index& index, const core::Platform& wanted,
                                 std::string_view name) {
  const core::Descriptor* loose = nullptr;
  std::string offered;
  for (const core::Descriptor& entry : index.manifests) {
    if (!entry.platform) {
      continue;
    }
    offered += (offered.empty() ? "" : ", ") + entry.platform->str();
    if (!entry.platform->matches(wanted)) {
      continue;
    }
    if (entry.platform->variant == wanted.variant) {
      return entry;
    }
    if (!loose) {
      loose = &entry;
    }
  }
  if (loose) {
    return *loose;
  }
  throw core::Error(std::string(name) + " has no image for " + wanted.str() + " (it offers: " +
                    (offered.empty() ? "no platforms" : offered) + "); pick one with --platform");
}

PullResult pull_image(const Reference& ref, const core::ContentStore& store,
                      const PullOptions& options) {
  RegistryClient client(ref.domain, ref.path, Access::pull, options.client);
  Resolved resolved = resolve(client, ref, options);
  core::Manifest manifest =
      core::parse_manifest(resolved.manifest.bytes, "manifest " + resolved.manifest.digest.str());
  PullResult result{.manifest = core::Descriptor{.media_type = resolved.manifest.media_type,
                                                 .digest = resolved.manifest.digest,
                                                 .size = static_cast<std::int64_t>(
                                                     resolved.manifest.bytes.size())},
                    .index = resolved.index,
                    .platform = resolved.platform};
  std::vector<core::Descriptor> missing;
  std::vector<core::Descriptor> blobs{manifest.config};
  blobs.insert(blobs.end(), manifest.layers.begin(), manifest.layers.end());
  for (const core::Descriptor& blob : blobs) {
    if (store.has(blob.digest)) {
      ++result.blobs_present;
    } else if (!core::is_foreign_layer(blob.media_type)) {
      missing.push_back(blob);
    }
  }
  fetch_all(client, missing, store, options, result);
  check_single_platform(ref, manifest, store.read_all(manifest.config.digest), options);
  store.put(resolved.manifest.bytes, resolved.manifest.digest);
  record_origin(store, manifest, ref.domain + "/" + ref.path);
  return result;
}

PullResult pull_to_store(const Reference& ref, const ImageStore& store,
                         const PullOptions& options) {
  PullResult result = pull_image(ref, store.blobs(), options);
  store.tag(result.manifest, ref);
  return result;
}

} // namespace registry
