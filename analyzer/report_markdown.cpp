// The report as a pull-request comment (GitHub-flavoured markdown).
#include "analyzer/report.h"

#include <cmath>
#include <cstdio>

namespace analyzer {
namespace {

std::string percent(double ratio) {
  if (!std::isfinite(ratio))
    return "n/a";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f %%", ratio * 100.0);
  return buffer;
}

std::string cell(const std::string& text) {
  std::string escaped;
  for (char c : text)
    escaped += c == '|' ? std::string("\\|") : c == '\n' ? std::string(" ") : std::string(1, c);
  return escaped;
}

} // namespace

std::string render_markdown(const ReportInput& input) {
  const Image& image = input.image;
  const DiveEfficiency& dive = input.analysis.dive;
  const Waste& waste = input.analysis.waste;
  std::string out = "### cscan: `" + image.info.source + "` " +
                    (input.gate.passed() ? "passed" : "**failed**") + "\n\n";
  out += "| | dive-compatible | corrected |\n|---|---|---|\n";
  out += "| efficiency | " + percent(dive.efficiency) + " | " + percent(waste.efficiency) + " |\n";
  out += "| wasted | " +
         human_bytes(static_cast<std::uint64_t>(std::max<std::int64_t>(0, dive.wasted_bytes))) +
         " | " + human_bytes(waste.reclaimable) + " reclaimable |\n";
  out += "| image size | " + human_bytes(waste.image_size) + " | " +
         std::to_string(image.layers.size()) + " layers |\n\n";
  const auto& findings = input.analysis.findings;
  if (!findings.empty()) {
    out += "| severity | rule | finding | fix |\n|---|---|---|---|\n";
    for (std::size_t i = 0; i < findings.size() && i < input.max_items; ++i) {
      const Finding& f = findings[i];
      out += "| " + std::string(to_string(f.severity)) + (f.baselined ? " (baselined)" : "") +
             " | `" + f.rule_id + "` | " + cell(f.message) + " | " + cell(f.advice) + " |\n";
    }
    if (findings.size() > input.max_items)
      out +=
          "\n" + std::to_string(findings.size() - input.max_items) + " more findings not shown.\n";
    out += "\n";
  }
  if (!input.gate.checks.empty()) {
    out +=
        "<details><summary>gate</summary>\n\n| check | threshold | actual | |\n|---|---|---|---|\n";
    for (const GateCheck& check : input.gate.checks)
      out += "| " + check.name + " | " + check.threshold + " | " + check.actual + " | " +
             (check.passed ? "pass" : "**fail**") + " |\n";
    out += "\n</details>\n";
  }
  return out;
}

} // namespace analyzer
