// The secret engine's findings as cscan findings: one rule per secret rule,
// one finding per (rule, secret, place), told in the layer walk's terms.
#include "analyzer/secret_scan.h"

#include "analyzer/secrets/config_scanner.h"
#include "analyzer/secrets/finding.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <unordered_map>

namespace analyzer {
namespace {

const char* const k_fix_history_command =
    "Commands are recorded in the image history: read the secret from a RUN "
    "--mount=type=secret file instead of writing it into the command, and rotate it.";
const char* const k_fix_config_command =
    "The image config ships to everyone who pulls the image: pass the secret at run time (an "
    "orchestrator secret, a mounted file), not in the command, and rotate it.";

/// What the layer walk did with one scanned copy of a file.
struct CopyFate {
  bool present = false;               ///< this copy is in the final file system
  const HiddenCopy* hidden = nullptr; ///< else: how a later layer hid it, when known
};

/// The walk's verdict for the copies the secret findings name.
class FateIndex {
public:
  FateIndex(const Image& image, const LayerWalk& walk, const std::set<std::string>& paths)
      : m_walk(walk) {
    for (const HiddenCopy& copy : walk.hidden) {
      const std::string& path = image.layers[copy.version.layer].entries[copy.version.entry].path;
      if (paths.count(path) != 0)
        m_hidden.emplace(std::make_pair(copy.version.layer, path), &copy);
    }
  }

  CopyFate fate(std::uint32_t layer, const std::string& path) const {
    auto final_copy = m_walk.final_tree.find(path);
    if (final_copy != m_walk.final_tree.end() && final_copy->second.version.layer == layer)
      return {true, nullptr};
    auto hidden = m_hidden.find({layer, path});
    return {false, hidden == m_hidden.end() ? nullptr : hidden->second};
  }

private:
  const LayerWalk& m_walk;
  std::map<std::pair<std::uint32_t, std::string>, const HiddenCopy*> m_hidden;
};

std::string layer_list(const std::vector<std::uint32_t>& layers) {
  std::string text = layers.size() == 1 ? "layer " : "layers ";
  for (std::size_t i = 0; i < layers.size(); ++i)
    text += (i == 0 ? "" : ", ") + std::to_string(layers[i]);
  return text;
}

std::string instruction_at(const ImageInfo& info, std::uint32_t layer) {
  return layer < info.layers.size() ? instruction_of(info.layers[layer].created_by) : "";
}

SecretDetail detail_of(const secrets::Finding& found, bool show) {
  const secrets::Location& at = found.location;
  SecretDetail detail;
  detail.engine_rule = found.rule_id;
  detail.origin = std::string(secrets::origin_name(at.origin));
  detail.line = at.line;
  detail.column = at.column;
  detail.in_binary = at.in_binary;
  detail.field = at.field;
  detail.key = at.key;
  detail.history_index = at.history_index;
  detail.shown = show;
  detail.match = show ? found.match : found.redacted;
  detail.entropy = found.entropy;
  detail.encoding = found.encoding;
  return detail;
}

/// Fills presence, shipped_in and the status phrase of a file finding from
/// all its copies (`copies`, sorted by layer).
std::string file_status(const Image& image, const FateIndex& fates,
                        const std::vector<const secrets::Finding*>& copies, SecretDetail& detail) {
  std::set<std::uint32_t> layers;
  std::optional<std::uint32_t> present_in;
  for (const secrets::Finding* copy : copies) {
    auto layer = static_cast<std::uint32_t>(copy->location.layer_index);
    layers.insert(layer);
    if (fates.fate(layer, copy->location.path).present)
      present_in = layer;
  }
  detail.shipped_in.assign(layers.begin(), layers.end());
  if (present_in) {
    detail.presence = "present";
    return "still in the final file system";
  }
  const secrets::Finding& last = *copies.back();
  CopyFate fate =
      fates.fate(static_cast<std::uint32_t>(last.location.layer_index), last.location.path);
  if (fate.hidden == nullptr)
    return "shipped in " + layer_list(detail.shipped_in);
  detail.presence = fate.hidden->how == HiddenBy::overwritten ? "overwritten" : "deleted";
  detail.removed_in_layer = fate.hidden->by_layer;
  detail.removed_by = instruction_at(image.info, fate.hidden->by_layer);
  return detail.presence + " in layer " + std::to_string(fate.hidden->by_layer) + " by " +
         detail.removed_by + ", still shipped in " + layer_list(detail.shipped_in);
}

Finding file_finding(const Image& image, const FateIndex& fates,
                     const std::vector<const secrets::Finding*>& copies, Finding finding,
                     bool show) {
  const secrets::Finding& first = *copies.front();
  const secrets::Location& at = first.location;
  SecretDetail& detail = *finding.secret;
  auto layer = static_cast<std::uint32_t>(at.layer_index);
  finding.layer = layer;
  finding.path = "/" + at.path;
  if (layer < image.info.layers.size()) {
    detail.layer_digest = image.info.layers[layer].digest;
    detail.created_by = instruction_at(image.info, layer);
  }
  std::string status = file_status(image, fates, copies, detail);
  std::string place = finding.path;
  if (at.line != 0)
    place += ":" + std::to_string(at.line);
  else if (at.in_binary)
    place += " (printable strings of a binary file)";
  const bool path_only = first.secret.empty() && first.match == at.path;
  finding.message = first.description + " in " + place +
                    (path_only ? "" : ": " + (show ? first.match : first.redacted)) +
                    "; added in " + describe_layer(image.info, layer) + ", " + status;
  if (detail.presence == "deleted" || detail.presence == "overwritten")
    finding.advice = "Deleting or overwriting a file in a later layer does not remove it: " +
                     layer_list(detail.shipped_in) + " still ship" +
                     (detail.shipped_in.size() == 1 ? "s" : "") + " it. " + finding.advice;
  return finding;
}

/// `text` with every occurrence of `secret` masked.
std::string masked(std::string text, const std::string& secret) {
  if (secret.size() < 4)
    return text;
  const std::string mask = secrets::redact_secret(secret);
  for (std::size_t at = text.find(secret); at != std::string::npos;
       at = text.find(secret, at + mask.size()))
    text.replace(at, secret.size(), mask);
  return text;
}

Finding config_finding(const Image& image, const secrets::Finding& found, std::size_t other_places,
                       Finding finding, bool show) {
  const secrets::Location& at = found.location;
  SecretDetail& detail = *finding.secret;
  if (at.layer_index >= 0) {
    auto layer = static_cast<std::uint32_t>(at.layer_index);
    finding.layer = layer;
    if (layer < image.info.layers.size())
      detail.layer_digest = image.info.layers[layer].digest;
  }
  std::string where;
  if (at.origin == secrets::Origin::history) {
    // The config's copy is masked already (scan_config), the engine's is raw.
    const auto index = static_cast<std::size_t>(at.history_index);
    detail.created_by = instruction_of(index < image.info.history.size() && !show
                                           ? image.info.history[index].created_by
                                           : at.created_by);
    finding.path = "history:" + std::to_string(at.history_index);
    where = "history entry " + std::to_string(at.history_index) +
            (finding.layer ? " (layer " + std::to_string(*finding.layer) + ")" : "");
    if (!at.key.empty())
      where += (secrets::parse_build_args(at.created_by) ? ", build arg " : ", variable ") + at.key;
    else
      finding.advice = k_fix_history_command;
  } else {
    finding.path = "config:" + at.field + (at.key.empty() ? "" : ":" + at.key);
    where = "config " + at.field + (at.key.empty() ? "" : " " + at.key);
    if (at.field != "Env" && at.field != "Labels")
      finding.advice = k_fix_config_command;
  }
  finding.message = found.description + "; " + where + ": " + (show ? found.match : found.redacted);
  if (other_places != 0)
    finding.message += " (and " + std::to_string(other_places) + " more place" +
                       (other_places == 1 ? "" : "s") + " with the same secret)";
  return finding;
}

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

/// "github-pat" -> "SecretGithubPat".
std::string camel_name(std::string_view id) {
  std::string name = "Secret";
  bool upper = true;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      upper = true;
      continue;
    }
    name += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return name;
}

} // namespace

DynamicRule dynamic_rule(const secrets::Rule& rule) {
  DynamicRule out;
  out.id = "secret/" + rule.id;
  out.name = camel_name(rule.id);
  out.description = rule.description.empty() ? "Secret found by rule " + rule.id : rule.description;
  out.severity = severity_of(rule.severity);
  out.fix = rule.fix.empty() ? "Remove the secret from the image and rotate it; use RUN "
                               "--mount=type=secret at build time or pass it at run time."
                             : rule.fix;
  out.kind = rule.kind;
  out.tags = {"secret", "external/cwe/cwe-798"};
  for (const std::string& tag : rule.tags) {
    if (!tag.starts_with("scope:"))
      out.tags.push_back(tag);
  }
  return out;
}

namespace {

/// The fields every secret finding shares; the caller adds place and message.
Finding base_finding(const secrets::Finding& found, bool show) {
  Finding finding;
  finding.rule_id = "secret/" + found.rule_id;
  finding.severity = severity_of(found.severity);
  finding.advice =
      found.fix.empty() ? "Remove the secret from the image and rotate it." : found.fix;
  finding.fingerprint = found.fingerprint;
  finding.secret = detail_of(found, show);
  return finding;
}

/// Groups findings by fingerprint, in order of first appearance.
std::vector<std::vector<const secrets::Finding*>>
by_fingerprint(const std::vector<secrets::Finding>& found) {
  std::vector<std::vector<const secrets::Finding*>> groups;
  std::unordered_map<std::string, std::size_t> index;
  for (const secrets::Finding& finding : found) {
    auto [it, added] = index.emplace(finding.fingerprint, groups.size());
    if (added)
      groups.emplace_back();
    groups[it->second].push_back(&finding);
  }
  return groups;
}

} // namespace

std::vector<Finding> secret_findings(const Image& image, const LayerWalk& walk,
                                     const std::vector<secrets::Finding>& in_files,
                                     const std::vector<secrets::Finding>& in_config, bool show) {
  std::set<std::string> paths;
  for (const secrets::Finding& found : in_files)
    paths.insert(found.location.path);
  FateIndex fates(image, walk, paths);
  std::vector<Finding> out;
  for (auto& copies : by_fingerprint(in_files)) {
    std::stable_sort(copies.begin(), copies.end(), [](const auto* a, const auto* b) {
      return a->location.layer_index < b->location.layer_index;
    });
    out.push_back(file_finding(image, fates, copies, base_finding(*copies.front(), show), show));
  }
  for (const auto& places : by_fingerprint(in_config))
    out.push_back(config_finding(image, *places.front(), places.size() - 1,
                                 base_finding(*places.front(), show), show));
  return out;
}

void mask_secrets(ImageInfo& info, const std::vector<std::string>& found) {
  auto mask_all = [&](std::string& text) {
    for (const std::string& secret : found)
      text = masked(std::move(text), secret);
  };
  for (std::string& entry : info.config.env)
    mask_all(entry);
  for (auto& [key, value] : info.config.labels)
    mask_all(value);
  for (auto* list : {&info.config.cmd, &info.config.entrypoint, &info.config.on_build}) {
    for (std::string& part : *list)
      mask_all(part);
  }
  if (info.config.healthcheck) {
    for (std::string& part : *info.config.healthcheck)
      mask_all(part);
  }
  for (HistoryEntry& entry : info.history)
    mask_all(entry.created_by);
  for (LayerInfo& layer : info.layers)
    mask_all(layer.created_by);
}

} // namespace analyzer
