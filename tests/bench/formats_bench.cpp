// Image-format throughput, core vs skopeo (docs/benchmarks.md, "Image formats").
// Usage: formats_bench [MiB per layer, default 64] [layers, default 3]
// Builds gzip layers of compressible text in a ContentStore, then times (best
// of 3, wall): core writing an OCI layout, an OCI archive and a docker-archive
// (the latter decompresses); core reading every layer of the docker-archive
// back with verification; and `skopeo copy oci:DIR docker-archive:FILE`.
#include "core/compression.h"
#include "core/content_store.h"
#include "core/docker_archive.h"
#include "core/image_source.h"
#include "core/media_types.h"
#include "core/oci_archive.h"
#include "core/oci_layout.h"
#include "core/temp_dir.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iostream>
#include <random>

namespace fs = std::filesystem;

namespace {

/// A tar of one file of `size` bytes of word-like text (compresses ~3:1).
std::string make_layer(size_t size, unsigned seed) {
  std::mt19937 rng(seed);
  std::string body;
  body.reserve(size);
  while (body.size() < size) {
    body += "word" + std::to_string(rng() % 5000) + ((rng() % 8) ? ' ' : '\n');
  }
  body.resize(size);
  std::string tar(512, '\0');
  std::snprintf(tar.data(), 100, "data/file%u", seed);
  std::snprintf(tar.data() + 100, 8, "%07o", 0644);
  std::snprintf(tar.data() + 108, 8, "%07o", 0);
  std::snprintf(tar.data() + 116, 8, "%07o", 0);
  std::snprintf(tar.data() + 124, 12, "%011zo", size);
  std::snprintf(tar.data() + 136, 12, "%011o", 0);
  tar[156] = '0';
  std::memcpy(tar.data() + 257, "ustar\00000", 8);
  std::memset(tar.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : tar) {
    sum += c;
  }
  std::snprintf(tar.data() + 148, 8, "%06o", sum);
  tar += body;
  tar.append((512 - size % 512) % 512 + 1024, '\0');
  return tar;
}

double best_of_3(const std::function<void()>& f) {
  double best = 1e9;
  for (int i = 0; i < 3; ++i) {
    auto start = std::chrono::steady_clock::now();
    f();
    best = std::min(
        best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

} // namespace

int main(int argc, char** argv) {
  size_t mib = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 64;
  size_t count = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 3;
  core::TempDir work(fs::path("/var/tmp"));
  core::ContentStore store(work.path() / "store");
  nlohmann::json diff_ids = nlohmann::json::array();
  std::vector<core::Descriptor> layers;
  for (size_t i = 0; i < count; ++i) {
    std::string tar = make_layer(mib << 20, static_cast<unsigned>(i + 1));
    diff_ids.push_back(core::sha256_of(tar).str());
    std::string gz;
    core::StringOutputStream sink(gz);
    auto c = core::make_compressor(core::Compression::gzip, sink);
    c->write(tar);
    c->finish();
    layers.push_back({.media_type = std::string(core::k_oci_layer_gzip),
                      .digest = store.put(gz),
                      .size = static_cast<std::int64_t>(gz.size())});
  }
  std::string config = nlohmann::json{{"architecture", "amd64"},
                                      {"os", "linux"},
                                      {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}}
                           .dump();
  core::Manifest m{.media_type = std::string(core::k_oci_manifest),
                   .config = {.media_type = std::string(core::k_oci_config),
                              .digest = store.put(config),
                              .size = static_cast<std::int64_t>(config.size())},
                   .layers = layers};
  core::ExportImage image{.manifest_bytes = core::serialize(m), .names = {"bench"}};
  auto blobs = core::blobs_from_store(store);
  fs::path layout = work.path() / "oci";
  std::cout << "layers: " << count << " x " << mib << " MiB (tar), gzip blobs\n";
  double t_layout = best_of_3([&] {
    fs::remove_all(layout);
    core::write_oci_layout(layout, {image}, blobs);
  });
  double t_oci = best_of_3([&] { core::write_oci_archive(work.path() / "o.tar", {image}, blobs); });
  image.names = {"bench:latest"};
  fs::path docker = work.path() / "d.tar";
  double t_docker = best_of_3([&] { core::write_docker_archive(docker, {image}, blobs); });
  double t_read = best_of_3([&] {
    auto source = core::open_image_source(core::parse_source_spec(docker.string()));
    core::Image img = source->load();
    for (size_t i = 0; i < img.manifest.layers.size(); ++i) {
      auto in = source->open_layer(img, i);
      std::vector<char> buffer(1 << 20);
      while (in->read(buffer.data(), buffer.size()) > 0) {
      }
    }
  });
  std::string cmd = "skopeo copy -q oci:" + layout.string() +
                    ":bench docker-archive:" + (work.path() / "s.tar").string() + ":bench:latest";
  double t_skopeo = best_of_3([&] {
    fs::remove(work.path() / "s.tar");
    if (std::system(cmd.c_str()) != 0) {
      std::cerr << "skopeo copy failed\n";
    }
  });
  std::printf("core write_oci_layout            %.2f s\n", t_layout);
  std::printf("core write_oci_archive           %.2f s\n", t_oci);
  std::printf("core write_docker_archive        %.2f s\n", t_docker);
  std::printf("core read docker-archive layers  %.2f s\n", t_read);
  std::printf("skopeo copy oci: docker-archive: %.2f s\n", t_skopeo);
  return 0;
}
