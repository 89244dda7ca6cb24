// The secret scanner inside cscan: one secrets::FileScanner per layer while
// the layers stream, then the config and history (see docs/secrets.md).
#include "analyzer/secret_scan.h"

#include "analyzer/secrets/builtin_rules.h"
#include "analyzer/secrets/config_scanner.h"
#include "analyzer/secrets/file_scanner.h"
#include "analyzer/secrets/rule_file.h"
#include "analyzer/secrets/rule_set.h"
#include "core/error.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace analyzer {

/// One layer's scanner; only that layer's reader thread touches it.
struct SecretScan::LayerState {
  explicit LayerState(std::shared_ptr<const secrets::RuleSet> rules) : scanner(std::move(rules)) {}
  secrets::FileScanner scanner;
  bool in_file = false;
  std::vector<secrets::Finding> found;
};

namespace {

secrets::ConfigInput config_input(const ImageInfo& info) {
  secrets::ConfigInput input;
  input.env = info.config.env;
  for (const auto& [key, value] : info.config.labels)
    input.labels.emplace_back(key, value);
  input.cmd = info.config.cmd;
  input.entrypoint = info.config.entrypoint;
  if (info.config.healthcheck)
    input.healthcheck = *info.config.healthcheck;
  input.on_build = info.config.on_build;
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

std::shared_ptr<const secrets::RuleSet> compile_rules(const SecretScanOptions& options,
                                                      std::vector<std::string>& warnings) {
  std::vector<secrets::RuleProblem> problems;
  secrets::RuleSpec spec = secrets::builtin_rules();
  if (!options.rules_file.empty())
    spec = secrets::resolve_rule_file(options.rules_file, spec, secrets::RuleFileMode::as_file_says,
                                      problems);
  std::shared_ptr<const secrets::RuleSet> rules = secrets::RuleSet::compile(spec, problems);
  for (const secrets::RuleProblem& problem : problems)
    warnings.push_back("--rules " + options.rules_file + ": " +
                       (problem.rule_id.empty() ? "" : "rule " + problem.rule_id + ": ") +
                       problem.message + " (left out)");
  if (!rules || rules->rules().empty())
    throw core::InputError(options.rules_file.empty()
                               ? std::string("secret scanner: no built-in rule compiled")
                               : "--rules " + options.rules_file +
                                     ": no rule could be loaded (see the warnings)");
  return rules;
}

} // namespace

SecretScan::SecretScan(const SecretScanOptions& options) : m_options(options) {
  m_rules = compile_rules(options, m_warnings);
}

SecretScan::~SecretScan() = default;

std::vector<DynamicRule> SecretScan::catalog() const {
  std::vector<DynamicRule> out;
  for (const secrets::CompiledRule& rule : m_rules->rules())
    out.push_back(dynamic_rule(rule.spec));
  return out;
}

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
    // Layer digest and instruction are added when findings are converted.
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

void SecretScan::scan_config(ImageInfo& info) {
  secrets::FileScanner scanner(m_rules);
  m_config_found = secrets::scan_config(scanner, config_input(info));
  m_config_scanned = true;
  std::vector<std::string> found;
  for (const secrets::Finding& finding : m_config_found) {
    if (!finding.secret.empty())
      found.push_back(finding.secret);
    if (!finding.encoded.empty())
      found.push_back(finding.encoded);
  }
  if (!m_options.show_secrets)
    mask_secrets(info, found);
}

std::vector<Finding> SecretScan::findings(Image& image, const LayerWalk& walk) {
  if (!m_config_scanned)
    scan_config(image.info);
  std::vector<secrets::Finding> in_files;
  for (const auto& [layer, state] : m_layers)
    in_files.insert(in_files.end(), state->found.begin(), state->found.end());
  std::vector<Finding> out =
      secret_findings(image, walk, in_files, m_config_found, m_options.show_secrets);
  for (Finding& finding : out) {
    int rule = m_rules->find(finding.secret->engine_rule);
    if (rule >= 0)
      finding.secret->kind = m_rules->rules()[static_cast<std::size_t>(rule)].spec.kind;
  }
  return out;
}

void SecretScan::finish(Image& image, Analysis& analysis) {
  std::vector<Finding> found = findings(image, analysis.walk);
  std::set<std::string> fired;
  for (const Finding& finding : found)
    fired.insert(finding.rule_id);
  for (const secrets::CompiledRule& rule : m_rules->rules()) {
    if (fired.count("secret/" + rule.spec.id) != 0)
      analysis.secret_rules.push_back(dynamic_rule(rule.spec));
  }
  std::sort(analysis.secret_rules.begin(), analysis.secret_rules.end(),
            [](const DynamicRule& a, const DynamicRule& b) { return a.id < b.id; });
  analysis.findings.insert(analysis.findings.end(), std::make_move_iterator(found.begin()),
                           std::make_move_iterator(found.end()));
  sort_findings(analysis.findings);
}

} // namespace analyzer
