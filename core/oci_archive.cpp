#include "core/oci_archive.h"

#include "core/archive_writer.h"
#include "core/error.h"
#include "core/oci_layout.h"
#include "core/verified_reader.h"

#include <map>

namespace core {

namespace {

/// Layout files that are members of a tar.
class ArchiveFiles : public LayoutFiles {
public:
  explicit ArchiveFiles(ArchiveIndex archive) : m_archive(std::move(archive)) {}

  const std::string& name() const override { return m_archive.name(); }

  std::optional<std::string> read(std::string_view path, size_t limit) const override {
    if (m_archive.resolve(path) == nullptr) {
      return std::nullopt;
    }
    return m_archive.read_member(path, limit);
  }

  std::optional<std::uint64_t> size(std::string_view path) const override {
    const ArchiveMember* m = m_archive.resolve(path);
    return m ? std::optional<std::uint64_t>(m->size) : std::nullopt;
  }

  std::unique_ptr<InputStream> open(std::string_view path, std::string& what) const override {
    const ArchiveMember* m = m_archive.resolve(path);
    if (m == nullptr) {
      throw InputError(m_archive.name() + ": " + std::string(path) + ": missing");
    }
    what = m_archive.describe(*m);
    return m_archive.open_member(*m);
  }

private:
  ArchiveIndex m_archive;
};

} // namespace

std::unique_ptr<ImageSource> open_oci_archive(ArchiveIndex archive) {
  return make_oci_source(std::make_unique<ArchiveFiles>(std::move(archive)), "oci-archive");
}

void write_oci_archive(const std::filesystem::path& file, const std::vector<ExportImage>& images,
                       const BlobOpener& blobs) {
  std::vector<Descriptor> referenced = referenced_blobs(images);
  std::map<Digest, const Descriptor*> by_digest;
  for (const Descriptor& d : referenced) {
    by_digest.emplace(d.digest, &d);
  }
  std::map<Digest, const ExportImage*> manifests;
  for (const ExportImage& image : images) {
    manifests.emplace(manifest_descriptor(image).digest, &image);
  }
  for (const auto& [digest, image] : manifests) {
    by_digest.emplace(digest, nullptr); // a manifest: written from its bytes
  }

  ArchiveWriter out(file);
  out.add_directory("blobs/");
  out.add_directory("blobs/sha256/");
  for (const auto& [digest, descriptor] : by_digest) {
    std::string member = "blobs/sha256/" + std::string(digest.hex());
    if (descriptor == nullptr) {
      out.add_file(member, manifests.at(digest)->manifest_bytes);
      continue;
    }
    auto size = static_cast<std::uint64_t>(descriptor->size);
    VerifiedReader in(blobs(*descriptor), digest, size, "blob " + digest.str());
    out.add_file(member, in, size);
  }
  out.add_file("index.json", serialize(layout_index(images, Index{})));
  out.add_file("oci-layout", k_oci_layout_file);
  out.finish();
}

} // namespace core
