#include "analyzer/image_info.h"

#include "core/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace analyzer {
namespace {

using nlohmann::json;

std::vector<std::string> strings_of(const json& value, std::string_view field) {
  std::vector<std::string> out;
  if (value.is_null())
    return out;
  if (!value.is_array())
    throw core::InputError("config field '" + std::string(field) + "': expected a list");
  for (const json& item : value) {
    if (!item.is_string())
      throw core::InputError("config field '" + std::string(field) + "': expected strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::vector<std::string> keys_of(const json& value) {
  std::vector<std::string> out;
  if (value.is_object()) {
    for (const auto& [key, item] : value.items())
      out.push_back(key);
  }
  return out;
}

std::string string_field(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null())
    return {};
  if (!it->is_string())
    throw core::InputError(std::string("config field '") + key + "': expected a string");
  return it->get<std::string>();
}

void parse_runtime(const json& config, RuntimeConfig& out) {
  if (!config.is_object())
    return;
  if (config.contains("User") && config["User"].is_string())
    out.user = config["User"].get<std::string>();
  out.entrypoint = strings_of(config.value("Entrypoint", json()), "Entrypoint");
  out.cmd = strings_of(config.value("Cmd", json()), "Cmd");
  out.env = strings_of(config.value("Env", json()), "Env");
  out.exposed_ports = keys_of(config.value("ExposedPorts", json()));
  out.volumes = keys_of(config.value("Volumes", json()));
  out.working_dir = string_field(config, "WorkingDir");
  out.on_build = strings_of(config.value("OnBuild", json()), "OnBuild");
  json labels = config.value("Labels", json());
  if (labels.is_object()) {
    for (const auto& [key, value] : labels.items())
      out.labels[key] = value.is_string() ? value.get<std::string>() : value.dump();
  }
  json health = config.value("Healthcheck", json());
  if (health.is_object())
    out.healthcheck = strings_of(health.value("Test", json()), "Healthcheck.Test");
}

void parse_history(const json& history, ImageInfo& info) {
  if (!history.is_array())
    return;
  for (const json& item : history) {
    if (!item.is_object())
      throw core::InputError("config field 'history': expected objects");
    HistoryEntry entry;
    entry.created = string_field(item, "created");
    entry.created_by = string_field(item, "created_by");
    entry.comment = string_field(item, "comment");
    auto empty = item.find("empty_layer");
    entry.empty_layer = empty != item.end() && empty->is_boolean() && empty->get<bool>();
    info.history.push_back(std::move(entry));
  }
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

} // namespace

void parse_image_config(std::string_view text, ImageInfo& info) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object())
    throw core::InputError("image config: not a JSON object");
  info.architecture = string_field(doc, "architecture");
  info.os = string_field(doc, "os");
  info.created = string_field(doc, "created");
  parse_runtime(doc.value("config", json()), info.config);
  parse_history(doc.value("history", json()), info);
  json rootfs = doc.value("rootfs", json());
  std::vector<std::string> diff_ids =
      rootfs.is_object() ? strings_of(rootfs.value("diff_ids", json()), "rootfs.diff_ids")
                         : std::vector<std::string>{};
  if (info.layers.size() < diff_ids.size())
    info.layers.resize(diff_ids.size());
  for (std::size_t i = 0; i < diff_ids.size(); ++i)
    info.layers[i].diff_id = diff_ids[i];
  std::size_t layer = 0;
  for (std::size_t h = 0; h < info.history.size() && layer < info.layers.size(); ++h) {
    if (info.history[h].empty_layer)
      continue;
    info.layers[layer].created_by = info.history[h].created_by;
    info.layers[layer].history_index = h;
    ++layer;
  }
}

bool is_secret_name(std::string_view name) {
  static const char* const k_words[] = {"PASSWORD",    "PASSWD",     "SECRET",
                                        "TOKEN",       "API_KEY",    "APIKEY",
                                        "PRIVATE_KEY", "ACCESS_KEY", "CREDENTIAL"};
  std::string key = upper(name);
  // Names that merely point at a secret are fine (PASSWORD_FILE=/run/secrets/x).
  if (key.ends_with("_FILE") || key.ends_with("_PATH"))
    return false;
  return std::any_of(std::begin(k_words), std::end(k_words),
                     [&](const char* word) { return key.find(word) != std::string::npos; });
}

std::string redact_env(std::string_view entry) {
  std::size_t eq = entry.find('=');
  std::string_view name = entry.substr(0, eq);
  if (eq == std::string_view::npos || !is_secret_name(name) || eq + 1 == entry.size())
    return std::string(entry);
  return std::string(name) + "=<redacted>";
}

std::string instruction_of(std::string_view created_by) {
  std::string_view text = created_by;
  // BuildKit (and cbuild) write "RUN /bin/sh -c cmd # buildkit", "COPY a b # buildkit".
  constexpr std::string_view k_buildkit = " # buildkit";
  if (text.ends_with(k_buildkit))
    text.remove_suffix(k_buildkit.size());
  constexpr std::string_view k_buildkit_run = "RUN /bin/sh -c ";
  if (text.starts_with(k_buildkit_run))
    return "RUN " + std::string(text.substr(k_buildkit_run.size()));
  constexpr std::string_view k_nop = "#(nop) ";
  if (auto at = text.find(k_nop); at != std::string_view::npos)
    return std::string(text.substr(at + k_nop.size()));
  constexpr std::string_view k_shell = "/bin/sh -c ";
  if (text.starts_with(k_shell))
    return "RUN " + std::string(text.substr(k_shell.size()));
  // BuildKit: "RUN |2 A=1 B=2 /bin/sh -c cmd" keeps its own prefix.
  while (!text.empty() && text.front() == ' ')
    text.remove_prefix(1);
  return std::string(text);
}

} // namespace analyzer
