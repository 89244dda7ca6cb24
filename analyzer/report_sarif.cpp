// SARIF 2.1.0 for GitHub code scanning (shared/reference/sarif.md §2-3).
#include "analyzer/report.h"
#include "analyzer/report_secret.h"
#include "analyzer/version.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdio>
#include <map>
#include <stdexcept>

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

json rule_json(const Rule& rule, const std::vector<std::string>& extra_tags = {}) {
  json tags = json::array({std::string(rule.category)});
  for (const std::string& tag : extra_tags)
    tags.push_back(tag);
  json properties = {{"tags", tags}, {"precision", "high"}};
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
  std::size_t line = finding.secret && finding.secret->line != 0 ? finding.secret->line : 1;
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
            {"region", {{"startLine", line}}}}}};
}

json result_json(const ReportInput& input, const Finding& finding, std::size_t rule_index) {
  json properties = {{"severity", to_string(finding.severity)}, {"imagePath", finding.path}};
  if (finding.layer)
    properties["layerIndex"] = *finding.layer;
  if (finding.bytes)
    properties["bytes"] = finding.bytes;
  json fingerprints = {{"primaryLocationLineHash", finding.fingerprint + ":1"}};
  if (finding.secret) {
    properties["secret"] = secret_detail_json(*finding.secret);
    fingerprints["cscanSecret/v1"] = finding.fingerprint;
  }
  std::string text = finding.message + ". " + finding.advice + ".";
  json result = {{"ruleId", finding.rule_id},
                 {"ruleIndex", rule_index},
                 {"level", level_of(finding.severity)},
                 {"message", {{"text", text}}},
                 {"locations", json::array({location_json(input, finding)})},
                 {"partialFingerprints", fingerprints},
                 {"properties", properties}};
  if (finding.baselined)
    result["suppressions"] =
        json::array({{{"kind", "external"}, {"justification", "accepted in the cscan baseline"}}});
  return result;
}

} // namespace

std::string render_sarif(const ReportInput& input) {
  // The static rules, then the secret rules that fired.
  json rules = json::array();
  std::map<std::string, std::size_t, std::less<>> index;
  for (const Rule& rule : all_rules()) {
    index.emplace(rule.id, rules.size());
    rules.push_back(rule_json(rule));
  }
  for (const DynamicRule& rule : input.analysis.secret_rules) {
    index.emplace(rule.id, rules.size());
    json entry = rule_json(
        Rule{rule.id, rule.name, rule.description, rule.severity, rule.fix, "security"}, rule.tags);
    if (!rule.kind.empty())
      entry["fullDescription"]["text"] = rule.description + " (" + rule.kind + ").";
    rules.push_back(entry);
  }
  json results = json::array();
  for (const Finding& finding : input.analysis.findings) {
    auto it = index.find(finding.rule_id);
    if (it == index.end())
      throw std::logic_error("SARIF: finding of unknown rule " + finding.rule_id);
    results.push_back(result_json(input, finding, it->second));
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
