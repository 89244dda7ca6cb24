#include "analyzer/secret_scan.h"

#include "analyzer/secrets/builtin_rules.h"
#include "analyzer/secrets/config_scanner.h"
#include "analyzer/secrets/file_scanner.h"
#include "analyzer/secrets/rule_set.h"
#include "core/error.h"

namespace analyzer {

/// One layer's scanner; only that layer's reader thread touches it.
struct SecretScan::LayerState {
  explicit LayerState(std::shared_ptr<const secrets::RuleSet> rules) : scanner(std::move(rules)) {}
  secrets::FileScanner scanner;
  bool in_file = false;
  std::vector<secrets::Finding> found;
};

namespace {

Severity severity_of(secrets::Severity severity) {
  switch (severity) {
  case secrets::Severity::info: return Severity::info;
  case secrets::Severity::low: return Severity::low;
  case secrets::Severity::medium: return Severity::medium;
  case secrets::Severity::high: return Severity::high;
  case secrets::Severity::critical: return Severity::critical;
  }
  return Severity::critical; // unreachable; never under-report a secret
}

/// Where the walk says the scanned copy of `path` from `layer` ended up.
std::string presence_of(const Image& image, const LayerWalk& walk, const std::string& path,
                        std::uint32_t layer) {
  auto it = walk.final_tree.find(path);
  if (it != walk.final_tree.end() && it->second.version.layer == layer)
    return {};
  for (const HiddenCopy& copy : walk.hidden) {
    const FileEntry& entry = image.layers[copy.version.layer].entries[copy.version.entry];
    if (copy.version.layer == layer && entry.path == path)
      return std::string("; ") + (copy.how == HiddenBy::overwritten ? "overwritten" : "deleted") +
             " by " + describe_layer(image.info, copy.by_layer) +
             ", but still shipped in the layer";
  }
  return {};
}

Finding convert(const secrets::Finding& found, std::string where, std::string path,
                std::optional<std::uint32_t> layer) {
  Finding finding;
  finding.rule_id = "secrets/leaked-secret";
  finding.severity = severity_of(found.severity);
  finding.message = found.description + " [" + found.rule_id + "] " + where + ": " + found.redacted;
  finding.advice = found.fix.empty() ? std::string(find_rule(finding.rule_id)->fix) : found.fix;
  finding.path = std::move(path);
  finding.layer = layer;
  finding.fingerprint = found.fingerprint.substr(0, 16);
  return finding;
}

secrets::ConfigInput config_input(const ImageInfo& info) {
  secrets::ConfigInput input;
  input.env = info.config.env;
  for (const auto& [key, value] : info.config.labels)
    input.labels.emplace_back(key, value);
  input.cmd = info.config.cmd;
  input.entrypoint = info.config.entrypoint;
  if (info.config.healthcheck)
    input.healthcheck = *info.config.healthcheck;
  for (std::size_t h = 0; h < info.history.size(); ++h) {
    int layer = -1;
    for (std::size_t l = 0; l < info.layers.size(); ++l) {
      if (info.layers[l].history_index == h)
        layer = static_cast<int>(l);
    }
    input.history.push_back({info.history[h].created_by, info.history[h].empty_layer, layer});
  }
  return input;
}

} // namespace

SecretScan::SecretScan() {
  std::vector<secrets::RuleProblem> problems;
  m_rules = secrets::RuleSet::compile(secrets::builtin_rules(), problems);
  if (!m_rules || m_rules->rules().empty())
    throw core::Error("secret scanner: no built-in rule compiled");
}

SecretScan::~SecretScan() = default;

SecretScan::LayerState& SecretScan::state_for(std::uint32_t layer) {
  std::lock_guard lock(m_mutex);
  auto& state = m_layers[layer];
  if (!state)
    state = std::make_unique<LayerState>(m_rules);
  return *state;
}

void SecretScan::on_chunk(std::uint32_t layer, const FileEntry& entry, std::string_view chunk,
                          bool last) {
  LayerState& state = state_for(layer);
  if (!state.in_file) {
    state.scanner.begin_file({.path = entry.path,
                              .layer_index = static_cast<int>(layer),
                              .layer_digest = {},
                              .created_by = {}});
    state.in_file = true;
  }
  if (!chunk.empty() && state.scanner.wants_content())
    state.scanner.feed(chunk);
  if (last) {
    std::vector<secrets::Finding> found = state.scanner.end_file();
    state.found.insert(state.found.end(), std::make_move_iterator(found.begin()),
                       std::make_move_iterator(found.end()));
    state.in_file = false;
  }
}

ContentHook SecretScan::hook() {
  return [this](std::uint32_t layer, const FileEntry& entry, std::string_view chunk, bool last) {
    on_chunk(layer, entry, chunk, last);
  };
}

std::vector<Finding> SecretScan::findings(const Image& image, const LayerWalk& walk) {
  std::vector<Finding> out;
  for (const auto& [layer, state] : m_layers) {
    for (const secrets::Finding& found : state->found) {
      const std::string& path = found.location.path;
      std::string where = "in /" + path + " (" + describe_layer(image.info, layer) + ")" +
                          presence_of(image, walk, path, layer);
      out.push_back(convert(found, where, "/" + path, layer));
    }
  }
  secrets::FileScanner scanner(m_rules);
  for (const secrets::Finding& found : secrets::scan_config(scanner, config_input(image.info))) {
    const secrets::Location& at = found.location;
    std::optional<std::uint32_t> layer;
    if (at.layer_index >= 0)
      layer = static_cast<std::uint32_t>(at.layer_index);
    std::string path = at.origin == secrets::Origin::history
                           ? "history:" + std::to_string(at.history_index)
                           : "config:" + at.field + ":" + at.key;
    out.push_back(convert(found, "in " + secrets::describe_location(at), path, layer));
  }
  return out;
}

} // namespace analyzer
