// Static security checks of the config and the final file tree.
#include "analyzer/analysis.h"

namespace analyzer {
namespace {

Finding make_finding(std::string_view rule_id, std::string message, std::string path,
                     std::optional<std::uint32_t> layer = std::nullopt) {
  const Rule* rule = find_rule(rule_id);
  Finding finding;
  finding.rule_id = std::string(rule_id);
  finding.severity = rule->severity;
  finding.message = std::move(message);
  finding.advice = std::string(rule->fix);
  finding.path = std::move(path);
  finding.layer = layer;
  set_fingerprint(finding, finding.path);
  return finding;
}

bool is_root_user(const std::optional<std::string>& user) {
  if (!user || user->empty())
    return true;
  std::string_view name = *user;
  name = name.substr(0, name.find(':'));
  return name == "0" || name == "root";
}

std::optional<std::uint32_t> layer_of_history(const ImageInfo& info, std::size_t history) {
  for (std::uint32_t layer = 0; layer < info.layers.size(); ++layer) {
    if (info.layers[layer].history_index == history)
      return layer;
  }
  return std::nullopt;
}

} // namespace

std::vector<Finding> config_findings(const ImageInfo& info) {
  std::vector<Finding> findings;
  if (is_root_user(info.config.user)) {
    std::string shown = info.config.user && !info.config.user->empty() ? "USER " + *info.config.user
                                                                       : std::string("no USER");
    findings.push_back(
        make_finding("config/root-user", "the image runs as root (" + shown + ")", "config:User"));
  }
  const auto& health = info.config.healthcheck;
  if (!health || health->empty() || (*health)[0] == "NONE")
    findings.push_back(make_finding("config/no-healthcheck", "the image defines no HEALTHCHECK",
                                    "config:Healthcheck"));
  for (std::size_t h = 0; h < info.history.size(); ++h) {
    std::string instruction = instruction_of(info.history[h].created_by);
    if (instruction.starts_with("ADD ") && (instruction.find("http://") != std::string::npos ||
                                            instruction.find("https://") != std::string::npos)) {
      findings.push_back(
          make_finding("config/add-from-url",
                       "history entry " + std::to_string(h) + " ran " + instruction.substr(0, 120),
                       "history:" + std::to_string(h), layer_of_history(info, h)));
    }
  }
  for (std::size_t i = 0; i < info.config.env.size(); ++i) {
    const std::string& env = info.config.env[i];
    std::size_t eq = env.find('=');
    std::string name = env.substr(0, eq);
    if (eq == std::string::npos || eq + 1 == env.size() || !is_secret_name(name))
      continue;
    findings.push_back(make_finding("config/secret-env",
                                    "ENV " + redact_env(env) + " looks like a baked-in secret",
                                    "config:Env:" + name));
  }
  return findings;
}

std::vector<Finding> file_findings(const Image& image, const LayerWalk& walk) {
  std::vector<Finding> findings;
  for (const auto& [path, file] : walk.final_tree) {
    const FileEntry& entry = image.layers[file.version.layer].entries[file.version.entry];
    std::string shown = "/" + path;
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", entry.mode & 07777);
    bool regular = entry.type == FileType::regular || entry.type == FileType::hardlink;
    if (regular && (entry.mode & 06000) != 0) {
      const char* bits = (entry.mode & 06000) == 06000 ? "setuid and setgid"
                         : (entry.mode & 04000)        ? "setuid"
                                                       : "setgid";
      findings.push_back(make_finding("files/setuid",
                                      shown + " is " + bits + " (mode " + mode + ", uid " +
                                          std::to_string(entry.uid) + ")",
                                      shown, file.version.layer));
    }
    bool writable = (entry.mode & 0002) != 0;
    bool sticky_dir = entry.type == FileType::directory && (entry.mode & 01000) != 0;
    if (writable && !sticky_dir && (regular || entry.type == FileType::directory)) {
      findings.push_back(make_finding("files/world-writable",
                                      shown + " is world-writable (mode " + std::string(mode) + ")",
                                      shown, file.version.layer));
    }
    if (entry.has_file_capabilities) {
      findings.push_back(make_finding("files/capabilities",
                                      shown + " has file capabilities (security.capability)", shown,
                                      file.version.layer));
    }
  }
  return findings;
}

} // namespace analyzer
