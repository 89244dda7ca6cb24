#include "builder/registry_cache.h"

#include "core/error.h"
#include "core/media_types.h"
#include "registry/push.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>
#include <set>

namespace builder {

namespace {

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t at = text.find(sep, start);
    out.emplace_back(text.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) {
      return out;
    }
    start = at + 1;
  }
}

nlohmann::json record_to_json(const CacheRecord& record) {
  nlohmann::json layers = nlohmann::json::array();
  for (const core::Descriptor& d : record.layers) {
    layers.push_back({{"mediaType", d.media_type}, {"digest", d.digest.str()}, {"size", d.size}});
  }
  return {{"key", record.key.str()},
          {"ingredients", record.ingredients},
          {"config", record.config},
          {"layers", layers}};
}

/// The distinct layers of `records`, in first-seen order.
std::vector<core::Descriptor> layers_of(const std::vector<CacheRecord>& records) {
  std::vector<core::Descriptor> out;
  std::set<core::Digest> seen;
  for (const CacheRecord& record : records) {
    for (const core::Descriptor& layer : record.layers) {
      if (seen.insert(layer.digest).second) {
        out.push_back(layer);
      }
    }
  }
  return out;
}

} // namespace

RegistryCacheSpec parse_cache_spec(std::string_view text, std::string_view flag) {
  std::string type;
  std::optional<registry::Reference> ref;
  std::string mode = "min";
  for (const std::string& item : split(text, ',')) {
    size_t eq = item.find('=');
    std::string key = item.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
    if (key == "type") {
      type = value;
    } else if (key == "ref") {
      ref = registry::parse_reference(value);
    } else if (key == "mode" && (value == "min" || value == "max")) {
      mode = value;
    } else {
      throw core::InputError(std::string(flag) + " '" + std::string(text) + "': unknown item '" +
                             item + "' (expected type=registry,ref=NAME[,mode=min|max])");
    }
  }
  if (type != "registry" || !ref) {
    throw core::InputError(std::string(flag) + " '" + std::string(text) +
                           "': only type=registry,ref=NAME[:TAG] is supported");
  }
  return {*ref, mode};
}

std::string serialize_cache_records(const std::vector<CacheRecord>& records,
                                    std::string_view mode) {
  nlohmann::json list = nlohmann::json::array();
  for (const CacheRecord& record : records) {
    list.push_back(record_to_json(record));
  }
  return nlohmann::json{{"version", 1}, {"mode", std::string(mode)}, {"records", list}}.dump();
}

std::vector<CacheRecord> parse_cache_records(std::string_view json, std::string_view what) {
  nlohmann::json doc = nlohmann::json::parse(json, nullptr, false);
  if (!doc.is_object() || doc.value("version", 0) != 1 || !doc.contains("records") ||
      !doc["records"].is_array()) {
    throw core::InputError(std::string(what) + ": not a cbuild build cache (version 1)");
  }
  std::vector<CacheRecord> out;
  for (size_t i = 0; i < doc["records"].size(); ++i) {
    const nlohmann::json& r = doc["records"][i];
    std::string where = std::string(what) + ": records[" + std::to_string(i) + "]";
    try {
      CacheRecord record{core::Digest::from_string(r.at("key").get<std::string>()),
                         r.at("ingredients"),
                         r.at("config").get<std::string>(),
                         {}};
      for (const nlohmann::json& layer : r.at("layers")) {
        record.layers.push_back(
            {.media_type = layer.at("mediaType").get<std::string>(),
             .digest = core::Digest::from_string(layer.at("digest").get<std::string>()),
             .size = layer.at("size").get<std::int64_t>()});
      }
      if (step_key(record.ingredients) != record.key) {
        throw core::InputError("key does not match its ingredients");
      }
      out.push_back(std::move(record));
    } catch (const nlohmann::json::exception& e) {
      throw core::InputError(where + ": " + e.what());
    } catch (core::Error& e) {
      e.add_context(where);
      throw;
    }
  }
  return out;
}

std::vector<CacheRecord> records_to_export(const CacheIndex& cache, const std::string& build_id,
                                           const std::vector<core::Descriptor>& image_layers,
                                           std::string_view mode) {
  std::set<core::Digest> in_image;
  for (const core::Descriptor& layer : image_layers) {
    in_image.insert(layer.digest);
  }
  std::vector<CacheRecord> out;
  std::set<core::Digest> seen;
  nlohmann::json keys = cache.last_build(build_id); // by position: "stage/step" -> key
  for (const auto& [position, key_text] : keys.items()) {
    std::optional<core::Digest> key =
        key_text.is_string() ? core::Digest::parse(key_text.get<std::string>()) : std::nullopt;
    std::optional<CacheRecord> record = key ? cache.find(*key) : std::nullopt;
    if (!record || !seen.insert(record->key).second) {
      continue;
    }
    bool all_in_image = std::all_of(record->layers.begin(), record->layers.end(),
                                    [&](const auto& l) { return in_image.count(l.digest) > 0; });
    if (mode == "max" || all_in_image) {
      out.push_back(std::move(*record));
    }
  }
  return out;
}

core::Digest export_cache(const registry::ImageStore& store,
                          const std::vector<CacheRecord>& records, const RegistryCacheSpec& spec,
                          const registry::ClientOptions& client_options) {
  std::string config = serialize_cache_records(records, spec.mode);
  core::Digest config_digest = store.blobs().put(config);
  core::Manifest manifest{.media_type = std::string(core::k_oci_manifest),
                          .artifact_type = std::string(k_cache_config_type),
                          .config = {.media_type = std::string(k_cache_config_type),
                                     .digest = config_digest,
                                     .size = static_cast<std::int64_t>(config.size())},
                          .layers = layers_of(records)};
  std::vector<core::Descriptor> blobs{manifest.config};
  blobs.insert(blobs.end(), manifest.layers.begin(), manifest.layers.end());
  registry::RegistryClient client(spec.ref.domain, spec.ref.path, registry::Access::push,
                                  client_options);
  registry::push_blobs(client, store.blobs(), blobs, spec.ref, {.client = client_options});
  std::string bytes = core::serialize(manifest);
  return client.put_manifest(spec.ref.digest ? spec.ref.digest->str() : spec.ref.tag,
                             core::k_oci_manifest, bytes);
}

ImportedCache::ImportedCache(const registry::ImageStore& store, const RegistryCacheSpec& spec,
                             const registry::ClientOptions& client)
    : m_store(store), m_client(std::make_unique<registry::RegistryClient>(
                          spec.ref.domain, spec.ref.path, registry::Access::pull, client)) {
  registry::FetchedManifest fetched =
      m_client->get_manifest(spec.ref.digest ? spec.ref.digest->str() : spec.ref.tag);
  core::Manifest manifest = core::parse_manifest(fetched.bytes, "build cache " + spec.ref.str());
  if (manifest.config.media_type != k_cache_config_type) {
    throw core::InputError(spec.ref.str() + " is not a cbuild build cache (config type '" +
                           manifest.config.media_type + "')");
  }
  if (!store.blobs().has(manifest.config.digest)) {
    m_client->fetch_blob(manifest.config, store.blobs());
  }
  std::vector<CacheRecord> records = parse_cache_records(
      store.blobs().read_all(manifest.config.digest), "build cache " + spec.ref.str());
  CacheIndex index(store.root() / "cache");
  for (const CacheRecord& record : records) {
    if (!index.find(record.key)) {
      index.put(record);
      ++m_records;
    }
  }
  for (const core::Descriptor& layer : manifest.layers) {
    m_known.push_back(layer.digest);
  }
}

ImportedCache::~ImportedCache() = default;

bool ImportedCache::fetch(const std::vector<core::Descriptor>& layers) {
  for (const core::Descriptor& layer : layers) {
    if (std::find(m_known.begin(), m_known.end(), layer.digest) == m_known.end()) {
      return false;
    }
  }
  for (const core::Descriptor& layer : layers) {
    if (!m_store.blobs().has(layer.digest)) {
      m_client->fetch_blob(layer, m_store.blobs());
      ++m_fetched;
    }
  }
  return true;
}

CacheImports import_caches(const registry::ImageStore& store, const std::vector<std::string>& specs,
                           const registry::ClientOptions& client, bool quiet) {
  CacheImports out;
  for (const std::string& text : specs) {
    RegistryCacheSpec spec = parse_cache_spec(text, "--cache-from");
    try {
      out.caches.push_back(std::make_unique<ImportedCache>(store, spec, client));
      if (!quiet) {
        std::cerr << "importing cache " << spec.ref.str() << ": " << out.caches.back()->records()
                  << " new step records\n";
      }
    } catch (const core::Error& e) {
      std::cerr << "cbuild: warning: importing cache " << spec.ref.str() << ": " << e.what()
                << "\n";
    }
  }
  if (!out.caches.empty()) {
    std::vector<ImportedCache*> caches; // heap objects: stable while `out` lives
    for (const auto& cache : out.caches) {
      caches.push_back(cache.get());
    }
    out.fetch = [caches](const std::vector<core::Descriptor>& layers) {
      for (ImportedCache* cache : caches) {
        if (cache->fetch(layers)) {
          return true;
        }
      }
      return false;
    };
  }
  return out;
}

void export_caches(const registry::ImageStore& store, const std::vector<std::string>& specs,
                   const std::string& build_id, const core::Descriptor& image,
                   const registry::ClientOptions& client, bool quiet) {
  std::vector<core::Descriptor> image_layers = store.read(image).manifest.layers;
  for (const std::string& text : specs) {
    RegistryCacheSpec spec = parse_cache_spec(text, "--cache-to");
    std::vector<CacheRecord> records =
        records_to_export(CacheIndex(store.root() / "cache"), build_id, image_layers, spec.mode);
    core::Digest digest = export_cache(store, records, spec, client);
    if (!quiet) {
      std::cerr << "exported cache " << spec.ref.str() << " (" << records.size()
                << " step records, mode=" << spec.mode << "): " << digest.str() << "\n";
    }
  }
}

} // namespace builder
