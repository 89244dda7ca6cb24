// Writes one layer from a directory with core::LayerWriter and prints what
// the builder would record. Used by tests/bench/layer_write.sh.
//
//   layer_write_bench DIR OUT {zstd|gzip|none} [LEVEL]
//   layer_write_bench --read BLOB     (reads every entry with core::TarReader)

#include "core/compression.h"
#include "core/error.h"
#include "core/layer_writer.h"
#include "core/stream.h"
#include "core/tar_reader.h"

#include <fcntl.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

/// Streams every entry and its data; prints the tar bytes per second.
int read_layer(const char* path) {
  auto start = std::chrono::steady_clock::now();
  auto in = core::FdInputStream::open(path);
  core::TarReader reader(in, path);
  std::vector<char> buffer(1 << 20);
  unsigned long long entries = 0, bytes = 0;
  while (auto entry = reader.next()) {
    ++entries;
    while (size_t n = reader.read_data(buffer.data(), buffer.size())) {
      bytes += n;
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("compression %s\nentries %llu\ndata %llu\nseconds %.3f\n",
              std::string(core::to_string(reader.compression())).c_str(), entries, bytes, seconds);
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--read") {
    try {
      return read_layer(argv[2]);
    } catch (const core::Error& e) {
      std::fprintf(stderr, "layer_write_bench: error: %s\n", e.what());
      return 1;
    }
  }
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s DIR OUT {zstd|gzip|none} [LEVEL]\n", argv[0]);
    return 2;
  }
  auto compression = core::parse_compression(argv[3]);
  if (!compression) {
    std::fprintf(stderr, "unknown compression '%s'\n", argv[3]);
    return 2;
  }
  try {
    auto start = std::chrono::steady_clock::now();
    int fd = ::open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
      core::throw_errno("open", argv[2]);
    }
    core::FdOutputStream out(core::UniqueFd(fd), argv[2]);
    core::LayerWriterOptions options;
    options.compression = *compression;
    options.compress.level = argc > 4 ? std::atoi(argv[4]) : 0;
    options.source_date_epoch = core::source_date_epoch_from_env();
    if (const char* workers = std::getenv("CBUILD_ZSTD_WORKERS")) {
      options.compress.zstd_workers = std::atoi(workers);
    }
    const char* threading = std::getenv("CBUILD_COMPRESS_THREAD");
    if (threading && std::string(threading) == "same") {
      options.threading = core::CompressThreading::same_thread;
    }
    core::LayerWriter writer(out, options);
    writer.add_tree(argv[1]);
    auto result = writer.finish();
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("diff_id %s\ndigest %s\nsize %llu\nuncompressed %llu\nentries %llu\n"
                "seconds %.3f\nMB/s %.1f\n",
                result.diff_id.str().c_str(), result.digest.str().c_str(),
                static_cast<unsigned long long>(result.size),
                static_cast<unsigned long long>(result.uncompressed_size),
                static_cast<unsigned long long>(result.entry_count), seconds,
                static_cast<double>(result.uncompressed_size) / seconds / 1e6);
    return 0;
  } catch (const core::Error& e) {
    std::fprintf(stderr, "layer_write_bench: error: %s\n", e.what());
    return 1;
  }
}
