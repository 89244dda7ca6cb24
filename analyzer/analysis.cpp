#include "analyzer/analysis.h"

#include <algorithm>
#include <cstdio>

namespace analyzer {

Analysis analyze(const Image& image) {
  Analysis analysis;
  analysis.walk = walk_layers(image.layers);
  analysis.dive = dive_efficiency(image.layers);
  analysis.waste = compute_waste(image.layers, analysis.walk);
  analysis.findings = efficiency_findings(image, analysis.walk, analysis.waste);
  std::vector<Finding> config = config_findings(image.info);
  std::vector<Finding> files = file_findings(image, analysis.walk);
  analysis.findings.insert(analysis.findings.end(), config.begin(), config.end());
  analysis.findings.insert(analysis.findings.end(), files.begin(), files.end());
  sort_findings(analysis.findings);
  return analysis;
}

void sort_findings(std::vector<Finding>& findings) {
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    if (a.severity != b.severity)
      return a.severity > b.severity;
    if (a.bytes != b.bytes)
      return a.bytes > b.bytes;
    if (a.rule_id != b.rule_id)
      return a.rule_id < b.rule_id;
    return a.path < b.path;
  });
}

std::string describe_layer(const ImageInfo& info, std::uint32_t layer, std::size_t width) {
  std::string text = "layer " + std::to_string(layer);
  if (layer < info.layers.size() && !info.layers[layer].created_by.empty()) {
    std::string instruction = instruction_of(info.layers[layer].created_by);
    if (instruction.size() > width)
      instruction = instruction.substr(0, width - 3) + "...";
    text += " (" + instruction + ")";
  }
  return text;
}

std::string human_bytes(std::uint64_t bytes) {
  static const char* const k_units[] = {"B", "kB", "MB", "GB", "TB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1000.0 && unit < 4) {
    value /= 1000.0;
    ++unit;
  }
  char buffer[32];
  if (unit == 0)
    std::snprintf(buffer, sizeof buffer, "%llu B", static_cast<unsigned long long>(bytes));
  else
    std::snprintf(buffer, sizeof buffer, "%.1f %s", value, k_units[unit]);
  return buffer;
}

std::optional<Rule> rule_for(std::string_view id, const std::vector<DynamicRule>& dynamic) {
  if (const Rule* rule = find_rule(id))
    return *rule;
  for (const DynamicRule& rule : dynamic) {
    if (rule.id == id)
      return Rule{rule.id, rule.name, rule.description, rule.severity, rule.fix, "security"};
  }
  return std::nullopt;
}

} // namespace analyzer
