#include "analyzer/report.h"
#include "analyzer/report_secret.h"
#include "analyzer/version.h"

#include <nlohmann/json.hpp>

#include <cmath>

namespace analyzer {
namespace {

using json = nlohmann::ordered_json;

json number_or_null(double value) {
  return std::isfinite(value) ? json(value) : json(nullptr);
}

json layers_json(const Image& image, const LayerWalk& walk) {
  json layers = json::array();
  for (std::size_t i = 0; i < image.layers.size(); ++i) {
    const LayerInfo* info = i < image.info.layers.size() ? &image.info.layers[i] : nullptr;
    const LayerChanges& changes = walk.changes[i];
    layers.push_back({
        {"index", i},
        {"digest", info ? info->digest : ""},
        {"diffId", info ? info->diff_id : ""},
        {"mediaType", info ? info->media_type : ""},
        {"blobSize", info ? info->blob_size : 0},
        {"size", image.layers[i].content_size()},
        {"files", file_count(image.layers[i])},
        {"whiteouts", whiteout_count(image.layers[i])},
        {"createdBy", info ? info->created_by : ""},
        {"added", {{"files", changes.added_files}, {"bytes", changes.added_bytes}}},
        {"modified", {{"files", changes.modified_files}, {"bytes", changes.modified_bytes}}},
        {"removed", {{"files", changes.removed_files}, {"bytes", changes.removed_bytes}}},
    });
  }
  return layers;
}

json dive_json(const DiveEfficiency& dive) {
  json files = json::array();
  for (const DiveInefficientPath& path : dive.inefficient)
    files.push_back({{"path", path.path}, {"count", path.count}, {"sizeBytes", path.cumulative}});
  return {{"efficiency", dive.efficiency},
          {"wastedBytes", dive.wasted_bytes},
          {"userWastedPercent", number_or_null(dive.user_wasted_percent)},
          {"imageSize", dive.image_size},
          {"userSize", dive.user_size},
          {"inefficientFiles", files},
          {"abortedLayers", dive.aborted_layers}};
}

json corrected_json(const Image& image, const Waste& waste) {
  static const char* const k_kinds[] = {"rewritten", "replaced", "deleted"};
  json pairs = json::array();
  for (const WastePair& pair : waste.pairs)
    pairs.push_back({{"writtenLayer", pair.written_layer},
                     {"hiddenByLayer", pair.hidden_by_layer},
                     {"kind", k_kinds[static_cast<int>(pair.kind)]},
                     {"bytes", pair.bytes},
                     {"files", pair.files},
                     {"examples", pair.examples}});
  json duplicates = json::array();
  for (const DuplicateContent& dup : waste.duplicates) {
    json copies = json::array();
    for (const VersionRef& copy : dup.copies)
      copies.push_back({{"layer", copy.layer},
                        {"path", "/" + image.layers[copy.layer].entries[copy.entry].path}});
    duplicates.push_back({{"sha256", to_hex(dup.hash)},
                          {"size", dup.size},
                          {"extraBytes", dup.extra_bytes()},
                          {"copies", copies}});
  }
  json leftovers = json::array();
  for (const Leftover& leftover : waste.leftovers)
    leftovers.push_back({{"category", leftover.category},
                         {"layer", leftover.layer},
                         {"bytes", leftover.bytes},
                         {"files", leftover.files},
                         {"stillVisible", leftover.still_visible},
                         {"example", leftover.example}});
  json dangling = json::array();
  for (const VersionRef& ref : waste.dangling_whiteouts)
    dangling.push_back(
        {{"layer", ref.layer}, {"path", "/" + image.layers[ref.layer].entries[ref.entry].path}});
  return {{"efficiency", waste.efficiency},
          {"imageSize", waste.image_size},
          {"reclaimableBytes", waste.reclaimable},
          {"rewrittenBytes", waste.rewritten_bytes},
          {"replacedBytes", waste.replaced_bytes},
          {"deletedBytes", waste.deleted_bytes},
          {"pairs", pairs},
          {"duplicates", duplicates},
          {"leftovers", leftovers},
          {"danglingWhiteouts", dangling}};
}

json config_json(const ImageInfo& info) {
  std::vector<std::string> env;
  for (const std::string& entry : info.config.env)
    env.push_back(redact_env(entry));
  return {
      {"user", info.config.user ? json(*info.config.user) : json(nullptr)},
      {"entrypoint", info.config.entrypoint},
      {"cmd", info.config.cmd},
      {"env", env},
      {"exposedPorts", info.config.exposed_ports},
      {"volumes", info.config.volumes},
      {"labels", info.config.labels},
      {"workingDir", info.config.working_dir},
      {"healthcheck", info.config.healthcheck ? json(*info.config.healthcheck) : json(nullptr)}};
}

} // namespace

json secret_detail_json(const SecretDetail& detail) {
  json out = {{"rule", detail.engine_rule}, {"kind", detail.kind}, {"origin", detail.origin}};
  if (!detail.layer_digest.empty())
    out["layerDigest"] = detail.layer_digest;
  if (!detail.created_by.empty())
    out["createdBy"] = detail.created_by;
  if (detail.origin == "file") {
    out["line"] = detail.line;
    out["column"] = detail.column;
    out["inBinary"] = detail.in_binary;
    out["presence"] = detail.presence.empty() ? "unknown" : detail.presence;
    out["shippedIn"] = detail.shipped_in;
    if (detail.removed_in_layer) {
      out["removedInLayer"] = *detail.removed_in_layer;
      out["removedBy"] = detail.removed_by;
    }
  } else {
    out["field"] = detail.field;
    if (!detail.key.empty())
      out["key"] = detail.key;
    if (detail.history_index >= 0)
      out["historyIndex"] = detail.history_index;
  }
  if (!detail.encoding.empty())
    out["encoding"] = detail.encoding;
  out["match"] = detail.match;
  out["matchRedacted"] = !detail.shown;
  out["entropy"] = std::round(detail.entropy * 1000.0) / 1000.0;
  return out;
}

std::size_t whiteout_count(const LayerTable& layer) {
  std::size_t count = 0;
  for (const FileEntry& entry : layer.entries)
    count += is_whiteout(entry.type);
  return count;
}

std::size_t file_count(const LayerTable& layer) {
  std::size_t count = 0;
  for (const FileEntry& entry : layer.entries)
    count += !is_whiteout(entry.type) && !entry.path.empty();
  return count;
}

std::string render_json(const ReportInput& input) {
  const Image& image = input.image;
  json findings = json::array();
  for (const Finding& f : input.analysis.findings) {
    findings.push_back({{"ruleId", f.rule_id},
                        {"severity", to_string(f.severity)},
                        {"message", f.message},
                        {"advice", f.advice},
                        {"layer", f.layer ? json(*f.layer) : json(nullptr)},
                        {"path", f.path},
                        {"bytes", f.bytes},
                        {"fingerprint", f.fingerprint},
                        {"baselined", f.baselined}});
    if (f.secret)
      findings.back()["secret"] = secret_detail_json(*f.secret);
  }
  json checks = json::array();
  for (const GateCheck& check : input.gate.checks)
    checks.push_back({{"name", check.name},
                      {"threshold", check.threshold},
                      {"actual", check.actual},
                      {"passed", check.passed}});
  json doc = {
      {"schemaVersion", k_json_schema_version},
      {"tool", {{"name", "cscan"}, {"version", version()}}},
      {"image",
       {{"source", image.info.source},
        {"format", image.info.format},
        {"id", image.info.config_digest},
        {"architecture", image.info.architecture},
        {"os", image.info.os},
        {"created", image.info.created},
        {"size", input.analysis.waste.image_size},
        {"config", config_json(image.info)},
        {"layers", layers_json(image, input.analysis.walk)}}},
      {"efficiency",
       {{"dive", dive_json(input.analysis.dive)},
        {"corrected", corrected_json(image, input.analysis.waste)}}},
      {"findings", findings},
      {"gate",
       {{"passed", input.gate.passed()},
        {"failingFindings", input.gate.failing_findings},
        {"baselinedFindings", input.gate.baselined_findings},
        {"checks", checks}}},
  };
  return doc.dump(2) + "\n";
}

} // namespace analyzer
