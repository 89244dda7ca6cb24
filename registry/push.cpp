#include "registry/push.h"

#include "core/error.h"
#include "core/stream.h"
#include "registry/blob_origins.h"
#include "registry/image_store.h"
#include "registry/parallel.h"
#include "registry/progress.h"

namespace registry {

namespace {

enum class BlobOutcome { skipped, mounted, uploaded };

/// Tries to mount `blob` from a repository of the same host that is known to
/// hold it. The token scope for that repository is added first.
bool try_mount(RegistryClient& client, const core::ContentStore& store, const core::Digest& blob,
               const Reference& dest) {
  std::string prefix = dest.domain + "/";
  for (const std::string& origin : blob_origins(store, blob)) {
    if (!origin.starts_with(prefix) || origin == prefix + dest.path) {
      continue;
    }
    std::string from = origin.substr(prefix.size());
    client.add_scope("repository:" + from + ":pull");
    if (client.mount_blob(blob, from)) {
      return true;
    }
  }
  return false;
}

BlobOutcome push_blob(RegistryClient& client, const core::ContentStore& store,
                      const core::Descriptor& blob, const Reference& dest,
                      const ProgressFn& progress) {
  if (client.has_blob(blob.digest)) {
    return BlobOutcome::skipped;
  }
  if (try_mount(client, store, blob.digest, dest)) {
    return BlobOutcome::mounted;
  }
  std::filesystem::path path = store.path(blob.digest);
  client.upload_blob(
      blob,
      [path] { return std::make_unique<core::FdInputStream>(core::FdInputStream::open(path)); },
      progress);
  return BlobOutcome::uploaded;
}

const char* outcome_name(BlobOutcome outcome) {
  switch (outcome) {
  case BlobOutcome::skipped: return "exists";
  case BlobOutcome::mounted: return "mounted";
  case BlobOutcome::uploaded: return "pushed";
  }
  return "";
}

} // namespace

PushStats push_blobs(RegistryClient& client, const core::ContentStore& store,
                     const std::vector<core::Descriptor>& blobs, const Reference& dest,
                     const PushOptions& options) {
  for (const core::Descriptor& blob : blobs) {
    if (!store.has(blob.digest)) {
      throw core::Error("push " + dest.str() + ": blob " + blob.digest.str() +
                        " is not in the local store (a foreign layer?)");
    }
  }
  ProgressBoard board(stderr, options.show_progress);
  std::vector<size_t> lines;
  for (const core::Descriptor& blob : blobs) {
    lines.push_back(
        board.add(std::string(blob.digest.short_hex()), static_cast<std::uint64_t>(blob.size)));
  }
  std::vector<BlobOutcome> outcomes(blobs.size(), BlobOutcome::skipped);
  for_each_parallel(blobs.size(), options.parallel, [&](size_t i) {
    board.set_state(lines[i], "uploading");
    try {
      outcomes[i] = push_blob(client, store, blobs[i], dest,
                              [&, i](std::uint64_t done) { board.set_done(lines[i], done); });
    } catch (...) {
      board.set_state(lines[i], "failed");
      throw;
    }
    board.set_state(lines[i], outcome_name(outcomes[i]));
  });
  PushStats stats;
  for (size_t i = 0; i < blobs.size(); ++i) {
    switch (outcomes[i]) {
    case BlobOutcome::skipped: ++stats.blobs_skipped; break;
    case BlobOutcome::mounted: ++stats.blobs_mounted; break;
    case BlobOutcome::uploaded:
      ++stats.blobs_uploaded;
      stats.bytes_uploaded += static_cast<std::uint64_t>(blobs[i].size);
      break;
    }
  }
  return stats;
}

PushResult push_image(const ImageStore& store, const core::Descriptor& manifest,
                      const Reference& dest, const PushOptions& options) {
  ImageData image = store.read(manifest);
  std::vector<core::Descriptor> blobs{image.manifest.config};
  blobs.insert(blobs.end(), image.manifest.layers.begin(), image.manifest.layers.end());
  RegistryClient client(dest.domain, dest.path, Access::push, options.client);
  PushStats stats = push_blobs(client, store.blobs(), blobs, dest, options);
  std::string media_type = image.manifest_descriptor.media_type.empty()
                               ? core::sniff_media_type(image.manifest_bytes)
                               : image.manifest_descriptor.media_type;
  std::string reference = dest.digest ? dest.digest->str() : dest.tag;
  PushResult result{.digest = client.put_manifest(reference, media_type, image.manifest_bytes),
                    .stats = stats};
  record_origin(store.blobs(), image.manifest, dest.domain + "/" + dest.path);
  return result;
}

} // namespace registry
