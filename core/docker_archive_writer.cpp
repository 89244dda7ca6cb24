// write_docker_archive(), declared in docker_archive.h.
#include "core/archive_writer.h"
#include "core/compression.h"
#include "core/docker_archive.h"
#include "core/error.h"
#include "core/media_types.h"
#include "core/temp_dir.h"
#include "core/verified_reader.h"

#include <fcntl.h>

#include <map>
#include <variant>

namespace core {

namespace fs = std::filesystem;

namespace {

constexpr size_t k_json_limit = 64 << 20;

/// Copies `in` to `out`, returning the digest of the bytes.
Digest copy_hashing(InputStream& in, OutputStream& out) {
  Sha256 hasher;
  std::vector<char> buffer(1 << 20);
  while (size_t n = in.read(buffer.data(), buffer.size())) {
    hasher.update(buffer.data(), n);
    out.write(buffer.data(), n);
  }
  return hasher.finish();
}

/// Where a member's bytes come from.
struct BlobMember {
  Descriptor descriptor; ///< stream it from the opener, verified
};
struct SpoolMember {
  fs::path path; ///< a decompressed layer in the temp dir
  std::uint64_t size;
};
using MemberSource = std::variant<std::string, BlobMember, SpoolMember>;

std::string repo_of(const std::string& name, std::string& tag) {
  size_t colon = name.rfind(':');
  if (colon != std::string::npos && name.find('/', colon) == std::string::npos) {
    tag = name.substr(colon + 1);
    return name.substr(0, colon);
  }
  tag = "latest";
  return name;
}

class DockerArchiveBuilder {
public:
  DockerArchiveBuilder(const fs::path& file, const BlobOpener& blobs)
      : m_blobs(blobs),
        m_spool(file.parent_path().empty() ? "." : file.parent_path(), ".cbuild-docker-archive-") {}

  void add_image(const ExportImage& image) {
    Descriptor md = manifest_descriptor(image);
    Manifest manifest = parse_manifest(image.manifest_bytes, "manifest " + md.digest.str());
    std::string config_bytes;
    {
      VerifiedReader in(m_blobs(manifest.config), manifest.config.digest,
                        static_cast<std::uint64_t>(manifest.config.size),
                        "config " + manifest.config.digest.str());
      config_bytes = read_all(in, "config " + manifest.config.digest.str(), k_json_limit);
    }
    ImageConfig config = parse_image_config(config_bytes, "config " + manifest.config.digest.str());
    std::string config_name = std::string(manifest.config.digest.hex()) + ".json";
    m_members[config_name] = config_bytes;
    nlohmann::json layers = nlohmann::json::array();
    for (size_t i = 0; i < manifest.layers.size(); ++i) {
      Digest diff_id = add_layer(manifest.layers[i], config, i);
      layers.push_back(std::string(diff_id.hex()) + ".tar");
      m_top_layer = diff_id;
    }
    nlohmann::json entry = {{"Config", config_name}, {"Layers", layers}};
    entry["RepoTags"] = image.names.empty() ? nlohmann::json(nullptr) : nlohmann::json(image.names);
    m_manifest.push_back(std::move(entry));
    for (const std::string& name : image.names) {
      std::string tag;
      std::string repo = repo_of(name, tag);
      if (!manifest.layers.empty()) {
        m_repositories[repo][tag] = std::string(m_top_layer->hex());
      }
    }
  }

  void write(const fs::path& file) {
    m_members["manifest.json"] = m_manifest.dump();
    if (!m_repositories.empty()) {
      m_members["repositories"] = m_repositories.dump();
    }
    ArchiveWriter out(file);
    for (const auto& [name, source] : m_members) { // std::map: sorted names
      if (const auto* data = std::get_if<std::string>(&source)) {
        out.add_file(name, *data);
      } else if (const auto* blob = std::get_if<BlobMember>(&source)) {
        auto size = static_cast<std::uint64_t>(blob->descriptor.size);
        VerifiedReader in(m_blobs(blob->descriptor), blob->descriptor.digest, size,
                          "layer " + blob->descriptor.digest.str());
        out.add_file(name, in, size);
      } else {
        const auto& spool = std::get<SpoolMember>(source);
        FdInputStream in = FdInputStream::open(spool.path);
        out.add_file(name, in, spool.size);
      }
    }
    out.finish();
  }

private:
  /// Adds layer `i` as `<diff_id hex>.tar`, decompressing it if needed; returns its diff_id.
  Digest add_layer(const Descriptor& layer, const ImageConfig& config, size_t i) {
    std::optional<Digest> expected;
    if (i < config.rootfs.diff_ids.size()) {
      expected = config.rootfs.diff_ids[i];
    }
    std::string what = "layer " + std::to_string(i) + " (" + layer.digest.str() + ")";
    if (layer_compression(layer.media_type) == Compression::none) {
      if (expected && *expected != layer.digest) {
        throw InputError(what + ": uncompressed, but its digest differs from diff_id " +
                         expected->str());
      }
      m_members[std::string(layer.digest.hex()) + ".tar"] = BlobMember{layer};
      return layer.digest;
    }
    if (expected && m_members.count(std::string(expected->hex()) + ".tar")) {
      return *expected; // the same layer again: written once
    }
    fs::path spool = m_spool.path() / std::to_string(i);
    UniqueFd fd(::open(spool.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd) {
      throw_errno("create", spool.string());
    }
    FdOutputStream out(std::move(fd), spool.string());
    VerifiedReader in(m_blobs(layer), layer.digest, static_cast<std::uint64_t>(layer.size), what);
    DecompressedStream plain = open_decompressed(in, what);
    Digest diff_id = copy_hashing(*plain.stream, out);
    if (expected && diff_id != *expected) {
      throw InputError(what + ": diff_id mismatch (config says " + expected->str() +
                       ", content is " + diff_id.str() + ")");
    }
    m_members[std::string(diff_id.hex()) + ".tar"] =
        SpoolMember{spool, static_cast<std::uint64_t>(fs::file_size(spool))};
    return diff_id;
  }

  const BlobOpener& m_blobs;
  TempDir m_spool;
  std::map<std::string, MemberSource> m_members;
  nlohmann::json m_manifest = nlohmann::json::array();
  nlohmann::json m_repositories = nlohmann::json::object();
  std::optional<Digest> m_top_layer;
};

} // namespace

void write_docker_archive(const fs::path& file, const std::vector<ExportImage>& images,
                          const BlobOpener& blobs) {
  DockerArchiveBuilder builder(file, blobs);
  for (const ExportImage& image : images) {
    builder.add_image(image);
  }
  builder.write(file);
}

} // namespace core
