#include "registry/image_store.h"

#include "core/error.h"
#include "core/file_lock.h"
#include "core/file_util.h"
#include "core/media_types.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <system_error>

namespace registry {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view k_layout_file = "oci-layout";
constexpr std::string_view k_layout_content = R"({"imageLayoutVersion":"1.0.0"})";
constexpr std::string_view k_index_file = "index.json";
constexpr std::string_view k_lock_file = "index.lock";
constexpr size_t k_min_id_prefix = 4;

core::Index empty_index() {
  core::Index index;
  index.media_type = core::k_oci_index;
  return index;
}

fs::path prepare_root(fs::path root) {
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) {
    throw core::Error("create store directory '" + root.string() + "': " + ec.message());
  }
  if (!fs::exists(root / k_layout_file)) {
    core::write_file_atomic(root / k_layout_file, k_layout_content);
  }
  return root;
}

std::optional<Reference> reference_of(const core::Descriptor& d) {
  auto name = d.annotation(core::k_annotation_containerd_name);
  if (!name) {
    name = d.annotation(core::k_annotation_ref_name);
  }
  return name ? try_parse_reference(*name) : std::nullopt;
}

bool is_hex(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

} // namespace

ImageStore::ImageStore(fs::path root) : m_root(prepare_root(std::move(root))), m_blobs(m_root) {}

fs::path ImageStore::default_root() {
  if (::geteuid() == 0) {
    return "/var/lib/cbuild";
  }
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) {
    return fs::path(xdg) / "cbuild";
  }
  const char* home = std::getenv("HOME");
  return fs::path(home && *home ? home : "/tmp") / ".local/share/cbuild";
}

core::Index ImageStore::read_index() const {
  fs::path path = m_root / k_index_file;
  if (!fs::exists(path)) {
    return empty_index();
  }
  return core::parse_index(
      [&] {
        core::FdInputStream in = core::FdInputStream::open(path);
        return core::read_all(in, path.string());
      }(),
      path.string());
}

void ImageStore::write_index(const core::Index& index) const {
  core::write_file_atomic(m_root / k_index_file, core::serialize(index));
}

std::vector<StoredImage> ImageStore::list() const {
  std::vector<StoredImage> out;
  for (const core::Descriptor& d : read_index().manifests) {
    if (auto ref = reference_of(d)) {
      out.push_back({*ref, d});
    }
  }
  std::sort(out.begin(), out.end(), [](const StoredImage& a, const StoredImage& b) {
    return a.reference.str() < b.reference.str();
  });
  return out;
}

std::optional<core::Descriptor> ImageStore::find(std::string_view name) const {
  std::vector<StoredImage> images = list();
  if (auto ref = try_parse_reference(name)) {
    for (const StoredImage& image : images) {
      if (image.reference == *ref) {
        return image.manifest;
      }
    }
  }
  // An id: the config digest (docker's image id) or the manifest digest, in
  // full or as a unique prefix of its hex.
  std::string_view hex = name.substr(0, 7) == "sha256:" ? name.substr(7) : name;
  if (hex.size() < k_min_id_prefix || !is_hex(hex)) {
    return std::nullopt;
  }
  std::optional<core::Descriptor> found;
  for (const StoredImage& image : images) {
    bool manifest_match = image.manifest.digest.hex().substr(0, hex.size()) == hex;
    bool config_match = false;
    if (!manifest_match && m_blobs.has(image.manifest.digest)) {
      core::Manifest m = core::parse_manifest(m_blobs.read_all(image.manifest.digest),
                                              image.manifest.digest.str());
      config_match = m.config.digest.hex().substr(0, hex.size()) == hex;
    }
    if (!manifest_match && !config_match) {
      continue;
    }
    if (found && found->digest != image.manifest.digest) {
      throw core::InputError("image id prefix '" + std::string(name) +
                             "' is ambiguous: give more digits");
    }
    found = image.manifest;
  }
  return found;
}

ImageData ImageStore::read(const core::Descriptor& manifest) const {
  std::string manifest_bytes = m_blobs.read_all(manifest.digest);
  core::Manifest parsed = core::parse_manifest(manifest_bytes, "manifest " + manifest.digest.str());
  const core::Digest config_digest = parsed.config.digest;
  ImageData data{.manifest_descriptor = manifest,
                 .manifest_bytes = std::move(manifest_bytes),
                 .manifest = std::move(parsed),
                 .config_bytes = m_blobs.read_all(config_digest),
                 .config = {}};
  data.config = core::parse_image_config(data.config_bytes, "config " + config_digest.str());
  return data;
}

core::Descriptor ImageStore::put_image(const core::ImageConfig& config,
                                       const std::vector<core::Descriptor>& layers) const {
  for (const core::Descriptor& layer : layers) {
    if (!m_blobs.has(layer.digest)) {
      throw core::Error("store image: layer " + layer.digest.str() + " is not in the store");
    }
  }
  std::string config_bytes = core::serialize(config);
  // With the expected digest, a blob already present is not written again
  // (a no-op rebuild then writes nothing).
  core::Digest config_digest = m_blobs.put(config_bytes, core::sha256_of(config_bytes));
  core::Manifest manifest{.schema_version = 2,
                          .media_type = std::string(core::k_oci_manifest),
                          .artifact_type = {},
                          .config = {.media_type = std::string(core::k_oci_config),
                                     .digest = config_digest,
                                     .size = static_cast<std::int64_t>(config_bytes.size())},
                          .layers = layers,
                          .subject = {},
                          .annotations = {},
                          .extra = nlohmann::json::object()};
  std::string manifest_bytes = core::serialize(manifest);
  return {.media_type = std::string(core::k_oci_manifest),
          .digest = m_blobs.put(manifest_bytes, core::sha256_of(manifest_bytes)),
          .size = static_cast<std::int64_t>(manifest_bytes.size())};
}

void ImageStore::tag(const core::Descriptor& manifest, const Reference& reference) const {
  core::FileLock lock(m_root / k_lock_file);
  core::Index index = read_index();
  std::erase_if(index.manifests, [&](const core::Descriptor& d) {
    auto ref = reference_of(d);
    return ref && *ref == reference;
  });
  core::Descriptor entry{.media_type = manifest.media_type.empty()
                                           ? std::string(core::k_oci_manifest)
                                           : manifest.media_type,
                         .digest = manifest.digest,
                         .size = manifest.size};
  entry.annotations[std::string(core::k_annotation_containerd_name)] = reference.str();
  // ref.name is what `skopeo inspect oci:<root>:<name>` looks up.
  entry.annotations[std::string(core::k_annotation_ref_name)] = reference.familiar();
  index.manifests.push_back(std::move(entry));
  write_index(index);
}

bool ImageStore::untag(const Reference& reference) const {
  core::FileLock lock(m_root / k_lock_file);
  core::Index index = read_index();
  size_t removed = std::erase_if(index.manifests, [&](const core::Descriptor& d) {
    auto ref = reference_of(d);
    return ref && *ref == reference;
  });
  if (removed > 0) {
    write_index(index);
  }
  return removed > 0;
}

std::uint64_t ImageStore::prune_blobs(const std::vector<core::Digest>& keep) const {
  core::FileLock lock(m_root / k_lock_file);
  std::set<std::string> live;
  for (const core::Digest& d : keep) {
    live.insert(std::string(d.hex()));
  }
  for (const core::Descriptor& d : read_index().manifests) {
    live.insert(std::string(d.digest.hex()));
    if (!m_blobs.has(d.digest)) {
      continue;
    }
    core::Manifest m = core::parse_manifest(m_blobs.read_all(d.digest), d.digest.str());
    live.insert(std::string(m.config.digest.hex()));
    for (const core::Descriptor& layer : m.layers) {
      live.insert(std::string(layer.digest.hex()));
    }
  }
  std::uint64_t freed = 0;
  fs::path dir = m_root / "blobs" / "sha256";
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    if (live.count(e.path().filename().string()) == 0) {
      freed += e.file_size(ec);
      fs::remove(e.path(), ec);
    }
  }
  return freed;
}

} // namespace registry
