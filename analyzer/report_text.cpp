// The report for people: findings first, worst first; then the numbers.
#include "analyzer/report.h"

#include <cmath>
#include <cstdio>

namespace analyzer {
namespace {

struct Style {
  bool color;
  std::string paint(std::string_view text, const char* code) const {
    if (!color)
      return std::string(text);
    return std::string("\033[") + code + "m" + std::string(text) + "\033[0m";
  }
  std::string severity(Severity s) const {
    static const char* const k_codes[] = {"2", "36", "33", "31", "1;31"};
    char label[16];
    std::snprintf(label, sizeof label, "%-8s", std::string(to_string(s)).c_str());
    for (char* c = label; *c; ++c)
      *c = static_cast<char>(std::toupper(static_cast<unsigned char>(*c)));
    return paint(label, k_codes[static_cast<int>(s)]);
  }
  std::string bold(std::string_view text) const { return paint(text, "1"); }
};

std::string percent(double ratio) {
  if (!std::isfinite(ratio))
    return "n/a";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f %%", ratio * 100.0);
  return buffer;
}

std::string pad(std::string text, std::size_t width) {
  if (text.size() < width)
    text.append(width - text.size(), ' ');
  return text;
}

void write_findings(const ReportInput& input, const Style& style, std::string& out) {
  const auto& findings = input.analysis.findings;
  out += style.bold("Findings") + " (" + std::to_string(findings.size()) + ")\n";
  if (findings.empty())
    out += "  none\n";
  std::size_t shown = 0;
  for (const Finding& f : findings) {
    if (shown++ == input.max_items) {
      out += "  ... " + std::to_string(findings.size() - input.max_items) +
             " more (--max-items, or --format json for all)\n";
      break;
    }
    out += "  " + style.severity(f.severity) + " " + f.rule_id +
           (f.baselined ? " [baselined]" : "") + "\n";
    out += "           " + f.message + "\n";
    if (f.secret && f.layer && !f.secret->layer_digest.empty())
      out += "           layer " + std::to_string(*f.layer) + ": " + f.secret->layer_digest + "\n";
    out += "           fix: " + f.advice + "\n";
  }
}

void write_efficiency(const ReportInput& input, const Style& style, std::string& out) {
  const DiveEfficiency& dive = input.analysis.dive;
  const Waste& waste = input.analysis.waste;
  out += "\n" + style.bold("Efficiency") + "           dive-compatible   corrected\n";
  out += "  efficiency         " + pad(percent(dive.efficiency), 18) + percent(waste.efficiency) +
         "\n";
  out += "  wasted bytes       " +
         pad(human_bytes(static_cast<std::uint64_t>(std::max<std::int64_t>(0, dive.wasted_bytes))),
             18) +
         human_bytes(waste.reclaimable) + " reclaimable\n";
  out += "  user wasted        " + pad(percent(dive.user_wasted_percent), 18) +
         percent(waste.image_size ? double(waste.reclaimable) / double(waste.image_size) : 0.0) +
         " of image\n";
  out += "  (corrected: " + human_bytes(waste.rewritten_bytes) + " rewritten, " +
         human_bytes(waste.replaced_bytes) + " replaced, " + human_bytes(waste.deleted_bytes) +
         " deleted)\n";
  for (const std::string& aborted : dive.aborted_layers)
    out += "  note: dive stops reading " + aborted + " (dangling whiteout)\n";
}

void write_layers(const ReportInput& input, const Style& style, std::string& out) {
  out += "\n" + style.bold("Layers") + "\n";
  const Image& image = input.image;
  for (std::size_t i = 0; i < image.layers.size(); ++i) {
    char line[64];
    std::snprintf(line, sizeof line, "  %3zu  %10s  %7zu files  ", i,
                  human_bytes(image.layers[i].content_size()).c_str(), file_count(image.layers[i]));
    std::string instruction =
        i < image.info.layers.size() ? instruction_of(image.info.layers[i].created_by) : "";
    if (instruction.size() > 80)
      instruction = instruction.substr(0, 77) + "...";
    out += line + instruction + "\n";
  }
}

void write_gate(const ReportInput& input, const Style& style, std::string& out) {
  if (input.gate.checks.empty())
    return;
  out += "\n" + style.bold("Gate") + "\n";
  for (const GateCheck& check : input.gate.checks) {
    std::string status = check.passed ? style.paint("PASS", "32") : style.paint("FAIL", "31");
    out += "  " + status + "  " + pad(check.name, 26) + " threshold " + pad(check.threshold, 12) +
           " actual " + check.actual + "\n";
  }
  out += input.gate.passed() ? "  result: PASS\n" : "  result: FAIL\n";
}

} // namespace

std::string render_text(const ReportInput& input) {
  Style style{input.color};
  const Image& image = input.image;
  std::string out = style.bold("cscan " + image.info.source) + "  (" + image.info.format + ", " +
                    std::to_string(image.layers.size()) + " layers, " +
                    human_bytes(input.analysis.waste.image_size) + ")\n\n";
  write_findings(input, style, out);
  write_efficiency(input, style, out);
  write_layers(input, style, out);
  write_gate(input, style, out);
  return out;
}

} // namespace analyzer
