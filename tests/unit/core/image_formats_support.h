#pragma once
// Builds small images for the image-format tests: a layer tar, its gzip blob,
// a config and a manifest, stored in a ContentStore.

#include "core/archive_writer.h"
#include "core/compression.h"
#include "core/content_store.h"
#include "core/image_export.h"
#include "core/media_types.h"
#include "core/oci_types.h"
#include "core/temp_dir.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace test_support {

/// A plain tar holding `files` (name -> content), in the given order.
inline std::string make_tar(const std::vector<std::pair<std::string, std::string>>& files,
                            const std::map<std::string, std::string>& symlinks = {}) {
  core::TempDir dir;
  std::filesystem::path path = dir.path() / "t.tar";
  core::ArchiveWriter w(path);
  for (const auto& [name, data] : files) {
    w.add_file(name, data);
  }
  for (const auto& [name, target] : symlinks) {
    w.add_symlink(name, target);
  }
  w.finish();
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string gzip(std::string_view data) {
  std::string out;
  core::StringOutputStream sink(out);
  auto c = core::make_compressor(core::Compression::gzip, sink);
  c->write(data);
  c->finish();
  return out;
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_file(const std::filesystem::path& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

/// An image with two layers (one gzip, one plain tar) in a store.
struct TestImage {
  std::vector<std::string> layer_tars; ///< uncompressed
  std::vector<core::Descriptor> layers;
  std::string config_bytes;
  std::string manifest_bytes;
  core::Digest manifest_digest = core::sha256_of("");

  core::ExportImage export_as(std::vector<std::string> names) const {
    return core::ExportImage{.manifest_bytes = manifest_bytes, .names = std::move(names)};
  }
};

inline TestImage make_image(const core::ContentStore& store, std::string_view tag = "one") {
  TestImage image;
  image.layer_tars.push_back(make_tar(
      {{"etc/hello", "hello " + std::string(tag) + "\n"}, {"bin/tool", std::string(3000, 'x')}}));
  image.layer_tars.push_back(make_tar({{"etc/second", "second layer"}}));
  std::string gz = gzip(image.layer_tars[0]);
  image.layers.push_back(core::Descriptor{.media_type = std::string(core::k_oci_layer_gzip),
                                          .digest = store.put(gz),
                                          .size = static_cast<std::int64_t>(gz.size())});
  image.layers.push_back(
      core::Descriptor{.media_type = std::string(core::k_oci_layer_tar),
                       .digest = store.put(image.layer_tars[1]),
                       .size = static_cast<std::int64_t>(image.layer_tars[1].size())});
  nlohmann::json config = {
      {"architecture", "amd64"},
      {"os", "linux"},
      {"config", {{"Env", {"PATH=/bin", "TAG=" + std::string(tag)}}, {"Cmd", {"/bin/tool"}}}},
      {"rootfs",
       {{"type", "layers"},
        {"diff_ids",
         {core::sha256_of(image.layer_tars[0]).str(),
          core::sha256_of(image.layer_tars[1]).str()}}}},
      {"history", {{{"created_by", "ADD a"}}, {{"created_by", "ADD b"}}}}};
  // Indented, as some producers write it: readers must keep these exact bytes.
  image.config_bytes = config.dump(2);
  core::Descriptor config_d{.media_type = std::string(core::k_oci_config),
                            .digest = store.put(image.config_bytes),
                            .size = static_cast<std::int64_t>(image.config_bytes.size())};
  core::Manifest m{
      .media_type = std::string(core::k_oci_manifest), .config = config_d, .layers = image.layers};
  image.manifest_bytes = core::serialize(m);
  image.manifest_digest = store.put(image.manifest_bytes);
  return image;
}

} // namespace test_support
