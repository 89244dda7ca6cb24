#include "core/image_export.h"

#include "core/content_store.h"
#include "core/error.h"
#include "core/image_source.h"
#include "core/media_types.h"

namespace core {

Descriptor manifest_descriptor(const ExportImage& image) {
  std::string media_type = sniff_media_type(image.manifest_bytes);
  return Descriptor{.media_type = media_type.empty() ? std::string(k_oci_manifest) : media_type,
                    .digest = sha256_of(image.manifest_bytes),
                    .size = static_cast<std::int64_t>(image.manifest_bytes.size())};
}

BlobOpener blobs_from_store(const ContentStore& store) {
  return [&store](const Descriptor& d) { return store.open(d.digest); };
}

BlobOpener blobs_from_source(const ImageSource& source) {
  return [&source](const Descriptor& d) { return source.open_blob(d); };
}

BlobOpener blobs_from_files(std::map<Digest, std::filesystem::path> files) {
  return [files = std::move(files)](const Descriptor& d) -> std::unique_ptr<InputStream> {
    auto it = files.find(d.digest);
    if (it == files.end()) {
      throw Error("blob " + d.digest.str() + ": no file given for it");
    }
    return std::make_unique<FdInputStream>(FdInputStream::open(it->second));
  };
}

} // namespace core
