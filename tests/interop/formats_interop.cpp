// Interop of core's image formats with skopeo and umoci (the peers).
// Builds a busybox image with core, has the peer tools accept it, and reads
// what skopeo writes. Exits 77 (skipped) when a tool is missing.
//
// By hand:  build-*/tests/unit/core/core_formats_interop
#include "core/compression.h"
#include "core/content_store.h"
#include "core/docker_archive.h"
#include "core/error.h"
#include "core/image_source.h"
#include "core/media_types.h"
#include "core/oci_archive.h"
#include "core/oci_layout.h"
#include "core/temp_dir.h"

#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <vector>

namespace fs = std::filesystem;

namespace {

int g_failures = 0;

/// Prints the outcome; `detail` (a tool's output) only on failure.
void check(bool ok, const std::string& what, const std::string& detail = {}) {
  std::cout << (ok ? "ok   " : "FAIL ") << what << "\n";
  if (!ok && !detail.empty()) {
    std::cout << detail << "\n";
  }
  g_failures += ok ? 0 : 1;
}

struct Result {
  int status = -1;
  std::string output; ///< stdout and stderr
};

/// Runs argv (no shell), capturing its output.
Result run(const std::vector<std::string>& argv) {
  int out[2];
  if (pipe(out) != 0) {
    core::throw_errno("pipe", argv[0]);
  }
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    dup2(out[1], 2);
    close(out[0]);
    close(out[1]);
    std::vector<char*> args;
    for (const std::string& a : argv) {
      args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(out[1]);
  Result r;
  char buffer[4096];
  ssize_t n;
  while ((n = read(out[0], buffer, sizeof buffer)) > 0) {
    r.output.append(buffer, static_cast<size_t>(n));
  }
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  return r;
}

bool have(const std::string& tool) {
  return run({"sh", "-c", "command -v " + tool}).status == 0;
}

std::string read_file(const fs::path& p) {
  core::FdInputStream in = core::FdInputStream::open(p);
  return core::read_all(in, p.string(), 256 << 20);
}

struct Built {
  std::string layer_tar;
  core::ExportImage image;
  core::Digest layer_digest = core::sha256_of("");
};

/// A one-layer image (gzip) holding bin/busybox and a bin/sh symlink.
Built build_image(const core::ContentStore& store, const fs::path& work) {
  fs::create_directories(work / "rootfs" / "bin");
  fs::copy_file("/bin/busybox", work / "rootfs" / "bin" / "busybox");
  fs::create_symlink("busybox", work / "rootfs" / "bin" / "sh");
  Result tar = run({"tar", "--sort=name", "--numeric-owner", "--owner=0", "--group=0", "--mtime=@0",
                    "-C", (work / "rootfs").string(), "-cf", (work / "layer.tar").string(), "bin"});
  if (tar.status != 0) {
    throw core::Error("tar: " + tar.output);
  }
  Built b;
  b.layer_tar = read_file(work / "layer.tar");
  std::string gz;
  core::StringOutputStream sink(gz);
  auto gzip = core::make_compressor(core::Compression::gzip, sink);
  gzip->write(b.layer_tar);
  gzip->finish();
  b.layer_digest = store.put(gz);
  nlohmann::json config = {
      {"architecture", "amd64"},
      {"os", "linux"},
      {"created", "1970-01-01T00:00:00Z"},
      {"config", {{"Cmd", {"/bin/sh"}}, {"Env", {"PATH=/bin"}}}},
      {"rootfs", {{"type", "layers"}, {"diff_ids", {core::sha256_of(b.layer_tar).str()}}}},
      {"history", {{{"created_by", "core formats interop"}}}}};
  std::string config_bytes = config.dump();
  core::Manifest m{.media_type = std::string(core::k_oci_manifest),
                   .config =
                       core::Descriptor{.media_type = std::string(core::k_oci_config),
                                        .digest = store.put(config_bytes),
                                        .size = static_cast<std::int64_t>(config_bytes.size())},
                   .layers = {core::Descriptor{.media_type = std::string(core::k_oci_layer_gzip),
                                               .digest = b.layer_digest,
                                               .size = static_cast<std::int64_t>(gz.size())}}};
  b.image = core::ExportImage{.manifest_bytes = core::serialize(m), .names = {"interop"}};
  return b;
}

bool inspect_ok(const std::string& ref, const core::Digest& layer) {
  Result r = run({"skopeo", "inspect", ref});
  if (r.status != 0) {
    std::cout << r.output;
    return false;
  }
  nlohmann::json doc = nlohmann::json::parse(r.output, nullptr, false);
  return !doc.is_discarded() && doc.contains("Layers") && doc["Layers"].size() == 1 &&
         doc["Layers"][0] == layer.str() && doc["Os"] == "linux";
}

/// Reads `spec` with core and checks the layer is our tar (or its gzip).
bool reads_back(const std::string& spec, const Built& b) {
  auto source = core::open_image_source(core::parse_source_spec(spec));
  core::Image image = source->load();
  if (image.manifest.layers.size() != 1 || image.config.rootfs.diff_ids.size() != 1) {
    return false;
  }
  std::string layer = core::read_all(*source->open_layer(image, 0), "layer", 256 << 20);
  core::MemoryInputStream mem(layer);
  core::DecompressedStream plain = core::open_decompressed(mem, "layer");
  return core::read_all(*plain.stream, "layer", 256 << 20) == b.layer_tar &&
         image.config.rootfs.diff_ids[0] == core::sha256_of(b.layer_tar);
}

void run_checks(const fs::path& work) {
  core::ContentStore store(work / "store");
  Built b = build_image(store, work);
  fs::path layout = work / "oci";
  core::write_oci_layout(layout, {b.image}, core::blobs_from_store(store));
  check(inspect_ok("oci:" + layout.string() + ":interop", b.layer_digest),
        "skopeo inspect oci:DIR (written by core)");

  fs::path oci_tar = work / "core-oci.tar";
  core::write_oci_archive(oci_tar, {b.image}, core::blobs_from_store(store));
  check(inspect_ok("oci-archive:" + oci_tar.string() + ":interop", b.layer_digest),
        "skopeo inspect oci-archive:FILE (written by core)");

  fs::path docker_tar = work / "core-docker.tar";
  b.image.names = {"localhost/interop:latest"};
  core::write_docker_archive(docker_tar, {b.image}, core::blobs_from_store(store));
  check(inspect_ok("docker-archive:" + docker_tar.string(), core::sha256_of(b.layer_tar)),
        "skopeo inspect docker-archive:FILE (written by core)");

  fs::path skopeo_docker = work / "skopeo-docker.tar";
  Result copy = run({"skopeo", "copy", "oci:" + layout.string() + ":interop",
                     "docker-archive:" + skopeo_docker.string() + ":localhost/x:1"});
  check(copy.status == 0 && reads_back("docker-archive:" + skopeo_docker.string(), b),
        "core reads skopeo copy oci:DIR docker-archive:FILE", copy.output);
  fs::path skopeo_oci = work / "skopeo-oci.tar";
  copy = run({"skopeo", "copy", "oci:" + layout.string() + ":interop",
              "oci-archive:" + skopeo_oci.string() + ":interop"});
  check(copy.status == 0 && reads_back(skopeo_oci.string(), b),
        "core reads skopeo copy oci:DIR oci-archive:FILE", copy.output);

  if (!have("umoci") || geteuid() != 0) {
    std::cout << "SKIP umoci unpack (needs umoci and root)\n";
    return;
  }
  fs::path bundle = work / "bundle";
  Result unpack =
      run({"umoci", "unpack", "--image", layout.string() + ":interop", bundle.string()});
  std::error_code ec;
  check(unpack.status == 0 &&
            fs::file_size(bundle / "rootfs" / "bin" / "busybox", ec) ==
                fs::file_size("/bin/busybox") &&
            fs::is_symlink(bundle / "rootfs" / "bin" / "sh"),
        "umoci unpack --image DIR:tag (written by core)", unpack.output);
}

} // namespace

int main() {
  for (const char* tool : {"skopeo", "tar"}) {
    if (!have(tool)) {
      std::cout << "SKIP: " << tool << " not installed\n";
      return 77;
    }
  }
  if (!fs::exists("/bin/busybox")) {
    std::cout << "SKIP: /bin/busybox not present\n";
    return 77;
  }
  try {
    core::TempDir work;
    run_checks(work.path());
  } catch (const std::exception& e) {
    std::cout << "FAIL " << e.what() << "\n";
    return 1;
  }
  return g_failures == 0 ? 0 : 1;
}
