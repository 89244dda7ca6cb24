#pragma once

#include "core/digest.h"
#include "core/oci_types.h"
#include "core/stream.h"

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace core {

class ContentStore;
class ImageSource;

/// Gives the bytes of a blob a writer needs (config, layers). Writers verify
/// digest and size of what it returns, so it need not.
using BlobOpener = std::function<std::unique_ptr<InputStream>(const Descriptor&)>;

/// One image to write: its manifest as exact bytes (the writer parses it and
/// stores it unchanged) and the names to give it: OCI ref names ("latest")
/// for a layout, RepoTags ("name:tag") for a docker-archive.
struct ExportImage {
  std::string manifest_bytes;
  std::vector<std::string> names{};
};

/// The manifest's descriptor: its media type (OCI when the manifest has none),
/// digest and size of `manifest_bytes`.
Descriptor manifest_descriptor(const ExportImage& image);

/// Blobs from a content store.
BlobOpener blobs_from_store(const ContentStore& store);
/// Blobs from an image source (to convert between formats). The source must
/// outlive the opener.
BlobOpener blobs_from_source(const ImageSource& source);
/// Blobs from files named by digest.
BlobOpener blobs_from_files(std::map<Digest, std::filesystem::path> files);

} // namespace core
