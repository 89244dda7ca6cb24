#include "builder/cache_index.h"

#include "core/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

namespace builder {

namespace fs = std::filesystem;

namespace {

std::optional<nlohmann::json> read_json(const fs::path& path) {
  std::ifstream in(path);
  if (!in) {
    return std::nullopt;
  }
  nlohmann::json value = nlohmann::json::parse(in, nullptr, false);
  if (value.is_discarded()) {
    return std::nullopt;
  }
  return value;
}

std::string quote(const nlohmann::json& v) {
  return v.is_string() ? "'" + v.get<std::string>() + "'" : v.dump();
}

/// "build arg X changed 'a' -> 'b'" for each key of object `field`.
void diff_map(const nlohmann::json& now, const nlohmann::json& before, const std::string& what,
              std::vector<std::string>& out) {
  nlohmann::json a = now.is_object() ? now : nlohmann::json::object();
  nlohmann::json b = before.is_object() ? before : nlohmann::json::object();
  for (const auto& [k, v] : a.items()) {
    if (!b.contains(k)) {
      out.push_back(what + " " + k + " is new (" + quote(v) + ")");
    } else if (b[k] != v) {
      out.push_back(what + " " + k + " changed " + quote(b[k]) + " -> " + quote(v));
    }
  }
  for (const auto& [k, v] : b.items()) {
    if (!a.contains(k)) {
      out.push_back(what + " " + k + " was removed (was " + quote(v) + ")");
    }
  }
}

/// Context files that differ, the first few by path.
void diff_files(const nlohmann::json& now, const nlohmann::json& before,
                std::vector<std::string>& out) {
  nlohmann::json a = now.is_object() ? now : nlohmann::json::object();
  nlohmann::json b = before.is_object() ? before : nlohmann::json::object();
  std::vector<std::string> changed;
  for (const auto& [k, v] : a.items()) {
    if (!b.contains(k)) {
      changed.push_back(k + " (added)");
    } else if (b[k] != v) {
      changed.push_back(k + " (changed)");
    }
  }
  for (const auto& [k, v] : b.items()) {
    if (!a.contains(k)) {
      changed.push_back(k + " (removed)");
    }
  }
  if (changed.empty()) {
    return;
  }
  std::string list;
  for (size_t i = 0; i < changed.size() && i < 5; ++i) {
    list += (i ? ", " : "") + changed[i];
  }
  if (changed.size() > 5) {
    list += " and " + std::to_string(changed.size() - 5) + " more";
  }
  out.push_back("context files changed: " + list);
}

} // namespace

nlohmann::json layer_digests(const std::vector<core::Descriptor>& layers) {
  nlohmann::json out = nlohmann::json::array();
  for (const core::Descriptor& layer : layers) {
    out.push_back(layer.digest.str());
  }
  return out;
}

core::Digest step_key(const nlohmann::json& ingredients) {
  return core::sha256_of(ingredients.dump());
}

CacheIndex::CacheIndex(fs::path dir) : m_dir(std::move(dir)) {
  fs::create_directories(m_dir / "steps");
  fs::create_directories(m_dir / "builds");
}

std::optional<CacheRecord> CacheIndex::find(const core::Digest& key) const {
  auto value = read_json(m_dir / "steps" / (std::string(key.hex()) + ".json"));
  if (!value || !value->contains("config") || !value->contains("layers")) {
    return std::nullopt;
  }
  CacheRecord record{key, (*value)["ingredients"], (*value)["config"].get<std::string>(), {}};
  for (const nlohmann::json& layer : (*value)["layers"]) {
    record.layers.push_back(
        {.media_type = layer.at("mediaType").get<std::string>(),
         .digest = core::Digest::from_string(layer.at("digest").get<std::string>()),
         .size = layer.at("size").get<std::int64_t>()});
  }
  return record;
}

void CacheIndex::put(const CacheRecord& record) const {
  nlohmann::json layers = nlohmann::json::array();
  for (const core::Descriptor& d : record.layers) {
    layers.push_back({{"mediaType", d.media_type}, {"digest", d.digest.str()}, {"size", d.size}});
  }
  nlohmann::json value = {{"key", record.key.str()},
                          {"ingredients", record.ingredients},
                          {"config", record.config},
                          {"layers", layers}};
  core::write_file_atomic(m_dir / "steps" / (std::string(record.key.hex()) + ".json"),
                          value.dump());
}

void CacheIndex::mark_used(const core::Digest& key) const {
  fs::path path = m_dir / "steps" / (std::string(key.hex()) + ".json");
  ::utimensat(AT_FDCWD, path.c_str(), nullptr, 0);
}

nlohmann::json CacheIndex::last_build(const std::string& build_id) const {
  auto value = read_json(m_dir / "builds" / (build_id + ".json"));
  return value && value->is_object() ? *value : nlohmann::json::object();
}

void CacheIndex::save_build(const std::string& build_id, const nlohmann::json& keys) const {
  core::write_file_atomic(m_dir / "builds" / (build_id + ".json"), keys.dump());
}

std::vector<std::string> explain_difference(const nlohmann::json& now,
                                            const nlohmann::json& before) {
  std::vector<std::string> out;
  if (now.value("instruction", "") != before.value("instruction", "")) {
    out.push_back("instruction changed: '" + before.value("instruction", "") + "' -> '" +
                  now.value("instruction", "") + "'");
  }
  if (now.value("base", "") != before.value("base", "")) {
    out.push_back("base image changed: " + before.value("base", "") + " -> " +
                  now.value("base", ""));
  }
  if (now.value("epoch", nlohmann::json()) != before.value("epoch", nlohmann::json())) {
    out.push_back("SOURCE_DATE_EPOCH changed: " + before.value("epoch", nlohmann::json()).dump() +
                  " -> " + now.value("epoch", nlohmann::json()).dump());
  }
  diff_map(now.value("args", nlohmann::json::object()),
           before.value("args", nlohmann::json::object()), "build arg", out);
  diff_files(now.value("files", nlohmann::json::object()),
             before.value("files", nlohmann::json::object()), out);
  if (now.value("urls", nlohmann::json()) != before.value("urls", nlohmann::json())) {
    out.push_back("a downloaded URL changed (content, Last-Modified or --checksum)");
  }
  if (now.value("from", "") != before.value("from", "") ||
      now.value("from_layers", nlohmann::json()) != before.value("from_layers", nlohmann::json())) {
    out.push_back("the --from source changed");
  }
  if (now.value("base_layers", nlohmann::json()) != before.value("base_layers", nlohmann::json())) {
    out.push_back("the base stage's result changed");
  }
  if (out.empty() && now.value("parent", "") != before.value("parent", "")) {
    out.push_back("an earlier step changed");
  }
  return out;
}

} // namespace builder
