#include "analyzer/image_loader.h"

#include "core/error.h"
#include "core/image_source.h"
#include "core/oci_layout.h"
#include "core/temp_dir.h"
#include "registry/image_store.h"
#include "registry/pull.h"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <mutex>
#include <thread>

namespace analyzer {
namespace {

/// Prints "reading layers 3/7  412.0 MB/1.0 GB  180.2 MB/s" on stderr every
/// 200 ms until stopped; erases the line at the end.
class ProgressLine {
public:
  ProgressLine(const ScanProgress& progress, std::uint64_t total_bytes, std::size_t layers)
      : m_progress(progress), m_total(total_bytes), m_layers(layers), m_thread([this] { run(); }) {}
  ~ProgressLine() {
    {
      std::lock_guard lock(m_mutex);
      m_stop = true;
    }
    m_wake.notify_all();
    m_thread.join();
    std::fputs("\r\033[K", stderr);
  }

private:
  void run() {
    auto start = std::chrono::steady_clock::now();
    std::unique_lock lock(m_mutex);
    while (!m_wake.wait_for(lock, std::chrono::milliseconds(200), [this] { return m_stop; })) {
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::uint64_t done = m_progress.blob_bytes.load();
      std::fprintf(
          stderr, "\r\033[Kreading layers %u/%zu  %s/%s  %s/s", m_progress.layers_done.load(),
          m_layers, human_bytes(done).c_str(), human_bytes(m_total).c_str(),
          human_bytes(static_cast<std::uint64_t>(done / std::max(seconds, 0.001))).c_str());
    }
  }

  const ScanProgress& m_progress;
  std::uint64_t m_total;
  std::size_t m_layers;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stop = false;
  std::thread m_thread;
};

void fill_info(std::string_view spec, const core::ImageSource& source, const core::Image& loaded,
               ImageInfo& info) {
  info.source = std::string(spec);
  info.format = std::string(source.format());
  info.config_digest = loaded.manifest.config.digest.str();
  info.layers.resize(loaded.manifest.layers.size());
  for (std::size_t i = 0; i < loaded.manifest.layers.size(); ++i) {
    const core::Descriptor& layer = loaded.manifest.layers[i];
    info.layers[i].digest = layer.digest.str();
    info.layers[i].media_type = layer.media_type;
    info.layers[i].blob_size = static_cast<std::uint64_t>(std::max<std::int64_t>(0, layer.size));
  }
  std::size_t layer_count = info.layers.size();
  parse_image_config(loaded.config_bytes, info);
  if (info.layers.size() != layer_count)
    throw core::InputError(info.source + ": config lists " + std::to_string(info.layers.size()) +
                           " diff_ids but the manifest " + std::to_string(layer_count) + " layers");
}

/// Reads all layers with `threads` workers taking the next unread layer.
void read_layers(const core::ImageSource& source, const core::Image& loaded, Image& image,
                 unsigned threads, const ScanOptions& scan) {
  std::size_t count = image.info.layers.size();
  image.layers.resize(count);
  std::vector<std::exception_ptr> errors(count);
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < count; i = next++) {
      const LayerInfo& info = image.info.layers[i];
      std::string name = source.name() + ": layer " + std::to_string(i) + " " + info.digest;
      try {
        std::unique_ptr<core::InputStream> blob = source.open_layer(loaded, i);
        LayerScan result = scan_layer(*blob, static_cast<std::uint32_t>(i), name, scan);
        if (!info.diff_id.empty() && result.diff_id != info.diff_id)
          throw core::InputError(name + ": diff_id mismatch: config says " + info.diff_id +
                                 ", the layer hashes to " + result.diff_id);
        image.layers[i] = std::move(result.table);
      } catch (...) {
        errors[i] = std::current_exception();
        next = count; // stop the other workers early
      }
    }
  };
  std::vector<std::thread> pool;
  unsigned workers = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(count)));
  for (unsigned t = 1; t < workers; ++t)
    pool.emplace_back(worker);
  worker();
  for (std::thread& thread : pool)
    thread.join();
  for (const std::exception_ptr& error : errors) {
    if (error)
      std::rethrow_exception(error);
  }
}

/// An opened source and the image loaded from it.
struct Opened {
  std::unique_ptr<core::ImageSource> source;
  core::Image loaded;
  std::optional<core::TempDir> pulled; ///< a registry image's blobs, removed after the scan
};

constexpr std::string_view k_registry_scheme = "registry://";

/// registry://REF: pulls the image into a throw-away store under $TMPDIR (so
/// every blob is verified as it arrives, and nothing lands in cbuild's store),
/// then reads that store like any OCI layout.
Opened open_from_registry(std::string_view spec) {
  registry::Reference ref = registry::parse_reference(spec.substr(k_registry_scheme.size()));
  core::TempDir dir({}, "cscan-pull-");
  registry::ImageStore store(dir.path());
  registry::PullResult pulled = registry::pull_to_store(ref, store, {});
  std::unique_ptr<core::ImageSource> source = core::open_oci_layout(dir.path());
  core::Image loaded = source->load(core::ImageEntry{{ref.str()}, pulled.manifest});
  return Opened{std::move(source), std::move(loaded), std::move(dir)};
}

/// A bare spec that is no file or directory names an image in cbuild's store.
/// The store is an OCI layout, so the layout reader serves its blobs.
std::optional<Opened> open_from_store(std::string_view spec, const core::SourceSpec& parsed,
                                      const LoadOptions& options) {
  if (!parsed.transport.empty() || std::filesystem::exists(parsed.path))
    return std::nullopt;
  std::filesystem::path root = options.store_root.empty()
                                   ? registry::ImageStore::default_root()
                                   : std::filesystem::path(options.store_root);
  // Never create a store as a side effect of a mistyped path.
  if (!std::filesystem::exists(root / "index.json"))
    return std::nullopt;
  registry::ImageStore store(root);
  std::optional<core::Descriptor> manifest = store.find(spec);
  if (!manifest)
    throw core::InputError(std::string(spec) + ": no such file, and no image of that name in " +
                           root.string());
  std::unique_ptr<core::ImageSource> source = core::open_oci_layout(root);
  core::Image loaded = source->load(core::ImageEntry{{std::string(spec)}, *manifest});
  return Opened{std::move(source), std::move(loaded), std::nullopt};
}

Opened open_image(std::string_view spec, const LoadOptions& options) {
  if (spec.starts_with(k_registry_scheme))
    return open_from_registry(spec);
  core::SourceSpec parsed = core::parse_source_spec(spec);
  if (std::optional<Opened> stored = open_from_store(spec, parsed, options))
    return std::move(*stored);
  std::unique_ptr<core::ImageSource> source = core::open_image_source(parsed);
  core::Image loaded = source->load(parsed.ref);
  return Opened{std::move(source), std::move(loaded), std::nullopt};
}

} // namespace

Image load_image(std::string_view spec, const LoadOptions& options) {
  Opened opened = open_image(spec, options);
  const core::ImageSource& source = *opened.source;
  const core::Image& loaded = opened.loaded;
  Image image;
  fill_info(spec, source, loaded, image.info);
  unsigned threads = options.threads ? options.threads : std::thread::hardware_concurrency();
  ScanProgress progress;
  ScanOptions scan = options.scan;
  scan.progress = &progress;
  std::optional<ProgressLine> line;
  if (options.show_progress) {
    std::uint64_t total = 0;
    for (const LayerInfo& layer : image.info.layers)
      total += layer.blob_size;
    line.emplace(progress, total, image.info.layers.size());
  }
  read_layers(source, loaded, image, threads ? threads : 1, scan);
  return image;
}

} // namespace analyzer
