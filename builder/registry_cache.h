#pragma once

#include "builder/cache_index.h"
#include "registry/image_store.h"
#include "registry/reference.h"
#include "registry/registry_client.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace builder {

/// `--cache-to` / `--cache-from type=registry,ref=REF[,mode=min|max]`.
struct RegistryCacheSpec {
  registry::Reference ref;
  std::string mode = "min"; ///< min: steps whose layers are all in the image; max: every step
};

/// Parses the flag value; InputError naming `flag` for anything else
/// (another type, no ref, an unknown mode or key).
RegistryCacheSpec parse_cache_spec(std::string_view text, std::string_view flag);

/// The config media type of a cache manifest (docs/registry.md, "Build cache").
inline constexpr std::string_view k_cache_config_type =
    "application/vnd.cbuild.build-cache.v1+json";

/// Serialises step records as the cache config JSON and parses it back.
/// parse_cache_records checks every record's key against its ingredients
/// and throws InputError naming the record otherwise.
std::string serialize_cache_records(const std::vector<CacheRecord>& records, std::string_view mode);
std::vector<CacheRecord> parse_cache_records(std::string_view json, std::string_view what);

/// The records a finished build used (its last_build keys), filtered by mode:
/// "min" keeps those whose layers are all among `image_layers`.
std::vector<CacheRecord> records_to_export(const CacheIndex& cache, const std::string& build_id,
                                           const std::vector<core::Descriptor>& image_layers,
                                           std::string_view mode);

/// Pushes the records and every layer they name as one OCI manifest (config
/// = the records, layers = the blobs) under spec.ref. Returns its digest.
core::Digest export_cache(const registry::ImageStore& store,
                          const std::vector<CacheRecord>& records, const RegistryCacheSpec& spec,
                          const registry::ClientOptions& client);

/// A cache imported from a registry: its records are in the local cache
/// index; fetch() downloads the layers a cache hit needs from the cache's
/// repository (thread-safe).
class ImportedCache {
public:
  ImportedCache(const registry::ImageStore& store, const RegistryCacheSpec& spec,
                const registry::ClientOptions& client);
  ~ImportedCache();

  /// Records copied into the local cache index (0 when the ref had no cache yet).
  size_t records() const noexcept { return m_records; }
  /// Layers fetched so far by fetch().
  size_t layers_fetched() const noexcept { return m_fetched; }

  /// Downloads `layers` into the store; false when one is not in the cache.
  bool fetch(const std::vector<core::Descriptor>& layers);

private:
  const registry::ImageStore& m_store;
  std::unique_ptr<registry::RegistryClient> m_client;
  std::vector<core::Digest> m_known; ///< layers the cache manifest lists
  size_t m_records = 0;
  std::atomic<size_t> m_fetched{0};
};

/// --cache-from: imports each spec (a missing or unreachable cache is a
/// warning on stderr, as in BuildKit, not an error) and returns the caches
/// plus a fetch function for BuildOptions::fetch_layers (empty when none).
struct CacheImports {
  std::vector<std::unique_ptr<ImportedCache>> caches;
  std::function<bool(const std::vector<core::Descriptor>&)> fetch;
};
CacheImports import_caches(const registry::ImageStore& store, const std::vector<std::string>& specs,
                           const registry::ClientOptions& client, bool quiet);

/// --cache-to: exports the records of build `build_id` to each spec.
void export_caches(const registry::ImageStore& store, const std::vector<std::string>& specs,
                   const std::string& build_id, const core::Descriptor& image,
                   const registry::ClientOptions& client, bool quiet);

} // namespace builder
