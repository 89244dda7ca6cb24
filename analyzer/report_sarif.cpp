// SARIF 2.1.0 for GitHub code scanning (shared/reference/sarif.md §2-3).
#include "analyzer/report.h"
#include "analyzer/version.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdio>

namespace analyzer {
namespace {

using json = nlohmann::ordered_json;

std::string_view level_of(Severity severity) {
  switch (severity) {
  case Severity::critical:
  case Severity::high: return "error";
  case Severity::medium: return "warning";
  default: return "note";
  }
}

std::string_view security_score(Severity severity) {
  switch (severity) {
  case Severity::critical: return "9.5";
  case Severity::high: return "8.0";
  case Severity::medium: return "5.5";
  case Severity::low: return "3.0";
  default: return "1.0";
  }
}

/// Percent-encodes everything but unreserved characters and '/'.
std::string uri_path(std::string_view path) {
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buffer[4];
      std::snprintf(buffer, sizeof buffer, "%%%02X", c);
      out += buffer;
    }
  }
  return out;
}

json rule_json(const Rule& rule) {
  json properties = {{"tags", json::array({std::string(rule.category)})}, {"precision", "high"}};
  if (rule.category == "security") {
    properties["security-severity"] = security_score(rule.severity);
  } else {
    properties["problem.severity"] =
        rule.severity >= Severity::medium ? "warning" : "recommendation";
  }
  return {{"id", rule.id},
          {"name", rule.name},
          {"shortDescription", {{"text", rule.description}}},
          {"fullDescription", {{"text", rule.description}}},
          {"help", {{"text", rule.fix}, {"markdown", rule.fix}}},
          {"defaultConfiguration", {{"level", level_of(rule.severity)}}},
          {"properties", properties}};
}

json location_json(const ReportInput& input, const Finding& finding) {
  if (input.dockerfile != nullptr) {
    if (auto span = input.dockerfile->locate(finding)) {
      return {{"physicalLocation",
               {{"artifactLocation", {{"uri", uri_path(input.dockerfile_path)}}},
                {"region", {{"startLine", span->start_line}, {"endLine", span->end_line}}}}}};
    }
  }
  // No Dockerfile: a stable pseudo path inside the image.
  std::string subject = finding.path.empty() ? "image" : finding.path;
  if (subject.starts_with("/"))
    subject.erase(0, 1);
  for (char& c : subject)
    c = c == ':' ? '/' : c;
  return {{"physicalLocation",
           {{"artifactLocation", {{"uri", "image/" + uri_path(subject)}}},
            {"region", {{"startLine", 1}}}}}};
}

json result_json(const ReportInput& input, const Finding& finding, std::size_t rule_index) {
  json properties = {{"severity", to_string(finding.severity)}, {"imagePath", finding.path}};
  if (finding.layer)
    properties["layerIndex"] = *finding.layer;
  if (finding.bytes)
    properties["bytes"] = finding.bytes;
  std::string text = finding.message + ". " + finding.advice + ".";
  json result = {{"ruleId", finding.rule_id},
                 {"ruleIndex", rule_index},
                 {"level", level_of(finding.severity)},
                 {"message", {{"text", text}}},
                 {"locations", json::array({location_json(input, finding)})},
                 {"partialFingerprints", {{"primaryLocationLineHash", finding.fingerprint + ":1"}}},
                 {"properties", properties}};
  if (finding.baselined)
    result["suppressions"] =
        json::array({{{"kind", "external"}, {"justification", "accepted in the cscan baseline"}}});
  return result;
}

} // namespace

std::string render_sarif(const ReportInput& input) {
  json rules = json::array();
  for (const Rule& rule : all_rules())
    rules.push_back(rule_json(rule));
  json results = json::array();
  for (const Finding& finding : input.analysis.findings) {
    std::size_t index = static_cast<std::size_t>(find_rule(finding.rule_id) - all_rules().data());
    results.push_back(result_json(input, finding, index));
  }
  json run = {{"tool",
               {{"driver",
                 {{"name", "cscan"},
                  {"semanticVersion", version()},
                  {"informationUri", "https://github.com/cbuild/cbuild/blob/main/docs/cscan.md"},
                  {"rules", rules}}}}},
              {"automationDetails", {{"id", "cscan/" + input.image.info.source + "/"}}},
              {"results", results}};
  json doc = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
              {"version", "2.1.0"},
              {"runs", json::array({run})}};
  return doc.dump(2) + "\n";
}

} // namespace analyzer
