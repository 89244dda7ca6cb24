#include "core/oci_layout.h"

#include "core/content_store.h"
#include "core/error.h"
#include "core/file_util.h"
#include "core/json_fields.h"
#include "core/media_types.h"
#include "core/verified_reader.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <set>

namespace core {

namespace fs = std::filesystem;

namespace {

constexpr size_t k_json_limit = 64 << 20;

std::string blob_path(const Digest& d) {
  return "blobs/" + std::string(d.algorithm()) + "/" + std::string(d.hex());
}

/// A layout in a directory.
class DirFiles : public LayoutFiles {
public:
  explicit DirFiles(fs::path dir) : m_dir(std::move(dir)), m_name(m_dir.string()) {}

  const std::string& name() const override { return m_name; }

  std::optional<std::string> read(std::string_view path, size_t limit) const override {
    if (!size(path)) {
      return std::nullopt;
    }
    FdInputStream in = FdInputStream::open(m_dir / path);
    return read_all(in, m_name + ": " + std::string(path), limit);
  }

  std::optional<std::uint64_t> size(std::string_view path) const override {
    struct stat st {};
    if (::stat((m_dir / path).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      return std::nullopt;
    }
    return static_cast<std::uint64_t>(st.st_size);
  }

  std::unique_ptr<InputStream> open(std::string_view path, std::string& what) const override {
    what = m_name + ": " + std::string(path);
    return std::make_unique<FdInputStream>(FdInputStream::open(m_dir / path));
  }

private:
  fs::path m_dir;
  std::string m_name;
};

class OciSource : public ImageSource {
public:
  OciSource(std::unique_ptr<LayoutFiles> files, std::string format)
      : m_files(std::move(files)), m_format(std::move(format)) {
    read_layout_header();
    std::optional<std::string> index = m_files->read("index.json", k_json_limit);
    if (!index) {
      throw InputError(name() + ": index.json: missing");
    }
    m_index = parse_index(*index, name() + ": index.json");
  }

  std::string_view format() const override { return m_format; }
  const std::string& name() const override { return m_files->name(); }

  std::vector<ImageEntry> images() const override {
    std::vector<ImageEntry> out;
    for (const Descriptor& d : m_index.manifests) {
      ImageEntry e{.names = {}, .descriptor = d};
      if (std::optional<std::string> ref = d.annotation(k_annotation_ref_name)) {
        e.names.push_back(*ref);
      }
      out.push_back(std::move(e));
    }
    return out;
  }

  bool has_blob(const Digest& digest) const override {
    return m_files->size(blob_path(digest)).has_value();
  }

  std::unique_ptr<InputStream> open_blob(const Descriptor& d) const override {
    std::string path = blob_path(d.digest);
    std::optional<std::uint64_t> size = m_files->size(path);
    if (!size) {
      throw InputError(name() + ": blob " + d.digest.str() + ": missing");
    }
    std::string what;
    std::unique_ptr<InputStream> in = m_files->open(path, what);
    if (*size != static_cast<std::uint64_t>(d.size)) { // fail before reading a byte
      throw InputError(what + ": size mismatch (descriptor says " + std::to_string(d.size) +
                       " bytes, blob has " + std::to_string(*size) + ")");
    }
    return std::make_unique<VerifiedReader>(std::move(in), d.digest,
                                            static_cast<std::uint64_t>(d.size), what);
  }

private:
  void read_layout_header() const {
    std::optional<std::string> text = m_files->read("oci-layout", 1 << 20);
    if (!text) {
      throw InputError(name() + ": oci-layout: missing (not an OCI image layout)");
    }
    nlohmann::json doc = parse_json_object(*text, name() + ": oci-layout");
    std::string version =
        require_string(doc, "imageLayoutVersion", JsonContext(name() + ": oci-layout"));
    if (!version.starts_with("1.")) {
      throw InputError(name() + ": oci-layout: unsupported imageLayoutVersion '" + version + "'");
    }
  }

  std::unique_ptr<LayoutFiles> m_files;
  std::string m_format;
  Index m_index;
};

} // namespace

std::unique_ptr<ImageSource> make_oci_source(std::unique_ptr<LayoutFiles> files,
                                             std::string format) {
  return std::make_unique<OciSource>(std::move(files), std::move(format));
}

std::unique_ptr<ImageSource> open_oci_layout(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw InputError(dir.string() + ": not a directory");
  }
  return make_oci_source(std::make_unique<DirFiles>(dir), "oci");
}

Index layout_index(const std::vector<ExportImage>& images, Index existing) {
  std::set<std::string> taken;
  for (const ExportImage& image : images) {
    taken.insert(image.names.begin(), image.names.end());
  }
  Index index = std::move(existing);
  index.schema_version = 2;
  index.media_type = std::string(k_oci_index);
  std::erase_if(index.manifests, [&taken](const Descriptor& d) {
    std::optional<std::string> ref = d.annotation(k_annotation_ref_name);
    return ref && taken.count(*ref) > 0;
  });
  for (const ExportImage& image : images) {
    Descriptor d = manifest_descriptor(image);
    if (image.names.empty()) {
      index.manifests.push_back(d);
    }
    for (const std::string& name : image.names) {
      Descriptor named = d;
      named.annotations[std::string(k_annotation_ref_name)] = name;
      index.manifests.push_back(std::move(named));
    }
  }
  return index;
}

std::vector<Descriptor> referenced_blobs(const std::vector<ExportImage>& images) {
  std::map<Digest, Descriptor> blobs;
  for (const ExportImage& image : images) {
    Descriptor md = manifest_descriptor(image);
    Manifest m = parse_manifest(image.manifest_bytes, "manifest " + md.digest.str());
    blobs.emplace(m.config.digest, m.config);
    for (const Descriptor& layer : m.layers) {
      blobs.emplace(layer.digest, layer);
    }
  }
  std::vector<Descriptor> out;
  for (auto& [digest, d] : blobs) {
    out.push_back(std::move(d));
  }
  return out;
}

void write_oci_layout(const fs::path& dir, const std::vector<ExportImage>& images,
                      const BlobOpener& blobs) {
  std::vector<Descriptor> needed = referenced_blobs(images);
  ContentStore store(dir);
  for (const Descriptor& d : needed) {
    if (store.has(d.digest)) {
      continue;
    }
    std::unique_ptr<InputStream> in = blobs(d);
    store.put(*in, d.digest, static_cast<std::uint64_t>(d.size));
  }
  for (const ExportImage& image : images) {
    store.put(image.manifest_bytes);
  }
  write_file_atomic(dir / "oci-layout", k_oci_layout_file);
  Index existing;
  if (std::optional<std::string> old = DirFiles(dir).read("index.json", k_json_limit)) {
    existing = parse_index(*old, dir.string() + ": index.json");
  }
  write_file_atomic(dir / "index.json", serialize(layout_index(images, std::move(existing))));
  ::rmdir((dir / ".tmp").c_str()); // the store's temp dir, if no other writer uses it
}

} // namespace core
