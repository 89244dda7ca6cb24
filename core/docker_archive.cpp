#include "core/docker_archive.h"

#include "core/error.h"
#include "core/json_fields.h"
#include "core/media_types.h"
#include "core/verified_reader.h"

#include <map>

namespace core {

namespace {

constexpr size_t k_json_limit = 64 << 20;

/// The digest a member's path claims: "blobs/sha256/<hex>" or "<hex>.json".
std::optional<Digest> digest_in_name(std::string_view path) {
  if (path.starts_with("blobs/sha256/")) {
    return Digest::parse("sha256:" + std::string(path.substr(13)));
  }
  if (path.ends_with(".json")) {
    return Digest::parse("sha256:" + std::string(path.substr(0, path.size() - 5)));
  }
  return std::nullopt;
}

Digest hash_stream(InputStream& in) {
  Sha256 hasher;
  std::vector<char> buffer(1 << 20);
  while (size_t n = in.read(buffer.data(), buffer.size())) {
    hasher.update(buffer.data(), n);
  }
  return hasher.finish();
}

struct Prepared {
  ImageEntry entry;
  Image image;
};

class DockerArchiveSource : public ImageSource {
public:
  explicit DockerArchiveSource(ArchiveIndex archive) : m_archive(std::move(archive)) {
    std::string text = m_archive.read_member("manifest.json", k_json_limit);
    std::string what = name() + ": manifest.json";
    nlohmann::json doc;
    try {
      doc = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
      throw InputError(what + ": invalid JSON: " + e.what());
    }
    if (!doc.is_array()) {
      throw InputError(what + ": expected a JSON array");
    }
    JsonContext ctx(what);
    for (size_t i = 0; i < doc.size(); ++i) {
      prepare(doc[i], ctx.element(i));
    }
  }

  std::string_view format() const override { return "docker-archive"; }
  const std::string& name() const override { return m_archive.name(); }

  std::vector<ImageEntry> images() const override {
    std::vector<ImageEntry> out;
    for (const Prepared& p : m_images) {
      out.push_back(p.entry);
    }
    return out;
  }

  Image load(const ImageEntry& entry, const Platform&) const override {
    for (const Prepared& p : m_images) {
      if (p.entry.descriptor.digest == entry.descriptor.digest) {
        return p.image;
      }
    }
    throw InputError(name() + ": no image with manifest " + entry.descriptor.digest.str());
  }

  bool has_blob(const Digest& digest) const override { return m_blobs.count(digest) > 0; }

  std::unique_ptr<InputStream> open_blob(const Descriptor& d) const override {
    auto it = m_blobs.find(d.digest);
    if (it == m_blobs.end()) {
      for (const Prepared& p : m_images) {
        if (p.image.manifest_descriptor.digest == d.digest) {
          return std::make_unique<MemoryInputStream>(p.image.manifest_bytes);
        }
      }
      throw InputError(name() + ": blob " + d.digest.str() + ": missing");
    }
    return std::make_unique<VerifiedReader>(m_archive.open_member(*it->second), d.digest,
                                            static_cast<std::uint64_t>(d.size),
                                            m_archive.describe(*it->second));
  }

private:
  const ArchiveMember& member(const std::string& path, const JsonContext& ctx) const {
    const ArchiveMember* m = m_archive.resolve(path);
    if (m == nullptr) {
      ctx.fail("member '" + path + "' is missing from the archive");
    }
    return *m;
  }

  Descriptor layer_descriptor(const std::string& path, const ArchiveMember& m,
                              const ImageConfig& config, size_t i) {
    char head[4] = {};
    size_t got = 0;
    {
      std::unique_ptr<InputStream> in = m_archive.open_member(m);
      while (got < sizeof head) {
        size_t n = in->read(head + got, sizeof head - got);
        if (n == 0) {
          break;
        }
        got += n;
      }
    }
    Compression c = sniff_compression(std::string_view(head, got));
    std::optional<Digest> digest = digest_in_name(m.name);
    if (!digest) {
      digest = digest_in_name(path);
    }
    if (!digest && c == Compression::none && i < config.rootfs.diff_ids.size()) {
      digest = config.rootfs.diff_ids[i]; // an uncompressed layer's digest is its diff_id
    }
    if (!digest) {
      std::unique_ptr<InputStream> in = m_archive.open_member(m);
      digest = hash_stream(*in);
    }
    std::string_view media_type = c == Compression::gzip   ? k_docker_layer_gzip
                                  : c == Compression::zstd ? k_oci_layer_zstd
                                                           : k_docker_layer_tar;
    return Descriptor{.media_type = std::string(media_type),
                      .digest = *digest,
                      .size = static_cast<std::int64_t>(m.size)};
  }

  void prepare(const nlohmann::json& item, const JsonContext& ctx) {
    require_object(item, ctx);
    std::string config_path = require_string(item, "Config", ctx);
    const ArchiveMember& config_member = member(config_path, ctx.field("Config"));
    std::string config_bytes = m_archive.read_member(config_member.name, k_json_limit);
    Digest config_digest = sha256_of(config_bytes);
    std::optional<Digest> claimed = digest_in_name(config_member.name);
    if (claimed && *claimed != config_digest) {
      throw InputError(
          digest_mismatch_message(m_archive.describe(config_member), *claimed, config_digest));
    }
    ImageConfig config =
        parse_image_config(config_bytes, name() + ": config " + config_digest.str());
    Manifest manifest{.media_type = std::string(k_docker_manifest),
                      .config = Descriptor{.media_type = std::string(k_docker_config),
                                           .digest = config_digest,
                                           .size = static_cast<std::int64_t>(config_bytes.size())}};
    m_blobs.emplace(config_digest, &config_member);
    std::vector<std::string> layer_paths = get_string_list(item, "Layers", ctx);
    for (size_t i = 0; i < layer_paths.size(); ++i) {
      const ArchiveMember& m = member(layer_paths[i], ctx.field("Layers").element(i));
      manifest.layers.push_back(layer_descriptor(layer_paths[i], m, config, i));
      m_blobs.emplace(manifest.layers.back().digest, &m);
    }
    std::string bytes = serialize(manifest);
    Descriptor md{.media_type = std::string(k_docker_manifest),
                  .digest = sha256_of(bytes),
                  .size = static_cast<std::int64_t>(bytes.size())};
    ImageEntry entry{.names = get_string_list(item, "RepoTags", ctx), .descriptor = md};
    Image image{.names = entry.names,
                .manifest_descriptor = md,
                .manifest_bytes = std::move(bytes),
                .manifest = std::move(manifest),
                .config_bytes = std::move(config_bytes),
                .config = std::move(config),
                .synthesised = true};
    m_images.push_back(Prepared{.entry = std::move(entry), .image = std::move(image)});
  }

  ArchiveIndex m_archive;
  std::vector<Prepared> m_images;
  std::map<Digest, const ArchiveMember*> m_blobs; ///< into m_archive, which never changes
};

} // namespace

std::unique_ptr<ImageSource> open_docker_archive(ArchiveIndex archive) {
  return std::make_unique<DockerArchiveSource>(std::move(archive));
}

} // namespace core
