#include "registry/blob_origins.h"

#include "core/unique_fd.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

namespace registry {

namespace fs = std::filesystem;

namespace {

fs::path origin_file(const core::ContentStore& store, const core::Digest& digest) {
  return store.root() / "registry-origins" / std::string(digest.hex());
}

void append_line(const fs::path& path, const std::string& line) {
  core::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (fd) {
    // One write() per line: O_APPEND keeps concurrent writers' lines whole.
    [[maybe_unused]] ssize_t n = ::write(fd.get(), line.data(), line.size());
  }
}

} // namespace

void record_origin(const core::ContentStore& store, const core::Manifest& manifest,
                   std::string_view repository) {
  std::error_code ec;
  fs::create_directories(store.root() / "registry-origins", ec);
  std::vector<core::Descriptor> blobs{manifest.config};
  blobs.insert(blobs.end(), manifest.layers.begin(), manifest.layers.end());
  for (const core::Descriptor& blob : blobs) {
    std::vector<std::string> known = blob_origins(store, blob.digest);
    if (std::find(known.begin(), known.end(), repository) == known.end()) {
      append_line(origin_file(store, blob.digest), std::string(repository) + "\n");
    }
  }
}

std::vector<std::string> blob_origins(const core::ContentStore& store, const core::Digest& digest) {
  std::vector<std::string> out;
  std::ifstream in(origin_file(store, digest));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && std::find(out.begin(), out.end(), line) == out.end()) {
      out.push_back(line);
    }
  }
  return out;
}

} // namespace registry
