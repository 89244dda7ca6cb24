#include "analyzer/cli_commands.h"

#include "analyzer/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace analyzer {
namespace {

std::string format_line(const char* format, auto... args) {
  char buffer[512];
  std::snprintf(buffer, sizeof buffer, format, args...);
  return buffer;
}

std::string mode_string(const FileEntry& entry) {
  std::string out = entry.type == FileType::directory ? "d"
                    : entry.type == FileType::symlink ? "l"
                                                      : "-";
  const char* bits = "rwxrwxrwx";
  for (int i = 0; i < 9; ++i)
    out += (entry.mode & (0400u >> i)) ? bits[i] : '-';
  if (entry.mode & 04000)
    out[3] = (entry.mode & 0100) ? 's' : 'S';
  if (entry.mode & 02000)
    out[6] = (entry.mode & 0010) ? 's' : 'S';
  if (entry.mode & 01000)
    out[9] = (entry.mode & 0001) ? 't' : 'T';
  return out;
}

std::string percent(double ratio) {
  return std::isfinite(ratio) ? format_line("%.1f %%", ratio * 100.0) : std::string("n/a");
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items)
    out += (out.empty() ? "" : " ") + item;
  return out.empty() ? "-" : out;
}

/// path -> (size, content) of the final tree, for diff.
std::map<std::string, const FileEntry*> final_files(const Image& image, const Analysis& analysis) {
  std::map<std::string, const FileEntry*> out;
  for (const auto& [path, file] : analysis.walk.final_tree)
    out[path] = &image.layers[file.version.layer].entries[file.version.entry];
  return out;
}

} // namespace

std::string render_layers(const Image& image, const LayerWalk& walk) {
  std::string out = "LAYER        SIZE    FILES   +ADDED  ~MODIFIED  -REMOVED  CREATED BY\n";
  for (std::size_t i = 0; i < image.layers.size(); ++i) {
    const LayerChanges& c = walk.changes[i];
    std::string by = i < image.info.layers.size() ? instruction_of(image.info.layers[i].created_by)
                                                  : std::string();
    out += format_line("%5zu  %10s  %7zu  %7llu  %9llu  %8llu  ", i,
                       human_bytes(image.layers[i].content_size()).c_str(),
                       file_count(image.layers[i]), (unsigned long long)c.added_files,
                       (unsigned long long)c.modified_files, (unsigned long long)c.removed_files) +
           (by.empty() ? "(missing)" : by) + "\n";
  }
  return out;
}

std::string render_tree(const Image& image, std::optional<std::uint32_t> layer,
                        const std::string& prefix) {
  std::uint32_t last = layer.value_or(image.layers.empty() ? 0 : image.layers.size() - 1);
  std::string clean = prefix;
  while (clean.starts_with("/"))
    clean.erase(0, 1);
  while (clean.ends_with("/"))
    clean.pop_back();
  LayerWalk walk =
      walk_layers(std::span<const LayerTable>(image.layers)
                      .subspan(0, std::min<std::size_t>(last + 1, image.layers.size())));
  auto in_scope = [&](const std::string& path) {
    return clean.empty() || path == clean || path.starts_with(clean + "/");
  };
  std::string out;
  for (const auto& [path, file] : walk.final_tree) {
    if (!in_scope(path))
      continue;
    const FileEntry& entry = image.layers[file.version.layer].entries[file.version.entry];
    char mark = ' ';
    if (layer && file.version.layer == last)
      mark = walk.entry_changes[last][file.version.entry] == EntryChange::added ? '+' : '~';
    std::string line =
        format_line("%c %s %5u:%-5u %10s  /%s", mark, mode_string(entry).c_str(), entry.uid,
                    entry.gid, human_bytes(entry.size).c_str(), path.c_str());
    if (entry.type == FileType::symlink)
      line += " -> " + entry.link_target;
    if (entry.type == FileType::hardlink)
      line += " => /" + entry.link_target;
    out += line + "\n";
  }
  if (layer) {
    for (const HiddenCopy& copy : walk.hidden) {
      const FileEntry& entry = image.layers[copy.version.layer].entries[copy.version.entry];
      if (copy.by_layer == last && copy.how != HiddenBy::overwritten && in_scope(entry.path))
        out += format_line("- %s %5u:%-5u %10s  /%s", mode_string(entry).c_str(), entry.uid,
                           entry.gid, human_bytes(entry.size).c_str(), entry.path.c_str()) +
               "\n";
    }
  }
  return out;
}

std::string render_history(const Image& image) {
  std::string out = format_line("%-14s %-22s %-10s %s\n", "LAYER", "CREATED", "SIZE", "CREATED BY");
  std::vector<std::string> lines;
  std::size_t layer = 0;
  for (const HistoryEntry& entry : image.info.history) {
    std::string id = "<missing>", size = "0 B";
    if (!entry.empty_layer && layer < image.layers.size()) {
      std::string digest = layer < image.info.layers.size() ? image.info.layers[layer].digest : "";
      id = digest.size() > 19 ? digest.substr(7, 12) : digest;
      size = human_bytes(image.layers[layer].content_size());
      ++layer;
    }
    std::string created = entry.created.substr(0, 20);
    lines.push_back(format_line("%-14s %-22s %-10s ", id.c_str(), created.c_str(), size.c_str()) +
                    entry.created_by + (entry.comment.empty() ? "" : "  # " + entry.comment) +
                    "\n");
  }
  for (auto it = lines.rbegin(); it != lines.rend(); ++it)
    out += *it;
  return out;
}

std::string render_inspect(const Image& image) {
  const ImageInfo& info = image.info;
  const RuntimeConfig& config = info.config;
  std::string out;
  out += "Image:       " + info.source + " (" + info.format + ")\n";
  out += "Id:          " + info.config_digest + "\n";
  out += "Platform:    " + info.os + "/" + info.architecture + "\n";
  out += "Created:     " + (info.created.empty() ? std::string("-") : info.created) + "\n";
  out += "User:        " +
         (config.user && !config.user->empty() ? *config.user : std::string("(root, unset)")) +
         "\n";
  out += "WorkingDir:  " + (config.working_dir.empty() ? "-" : config.working_dir) + "\n";
  out += "Entrypoint:  " + join(config.entrypoint) + "\n";
  out += "Cmd:         " + join(config.cmd) + "\n";
  out += "Ports:       " + join(config.exposed_ports) + "\n";
  out += "Volumes:     " + join(config.volumes) + "\n";
  out += "Healthcheck: " + (config.healthcheck ? join(*config.healthcheck) : "(none)") + "\n";
  out += "Env:\n";
  for (const std::string& env : config.env)
    out += "  " + redact_env(env) + "\n";
  out += "Labels:\n";
  for (const auto& [key, value] : config.labels)
    out += "  " + key + "=" + value + "\n";
  return out;
}

std::string render_diff(const Image& a, const Analysis& analysis_a, const Image& b,
                        const Analysis& analysis_b, std::size_t max_items) {
  std::string out = format_line("%-24s %-22s %-22s\n", "", a.info.source.substr(0, 22).c_str(),
                                b.info.source.substr(0, 22).c_str());
  auto row = [&](const char* name, const std::string& x, const std::string& y) {
    out += format_line("%-24s %-22s %-22s\n", name, x.c_str(), y.c_str());
  };
  row("size", human_bytes(analysis_a.waste.image_size), human_bytes(analysis_b.waste.image_size));
  row("layers", std::to_string(a.layers.size()), std::to_string(b.layers.size()));
  row("efficiency (dive)", percent(analysis_a.dive.efficiency),
      percent(analysis_b.dive.efficiency));
  row("efficiency (corrected)", percent(analysis_a.waste.efficiency),
      percent(analysis_b.waste.efficiency));
  row("reclaimable", human_bytes(analysis_a.waste.reclaimable),
      human_bytes(analysis_b.waste.reclaimable));
  row("files", std::to_string(analysis_a.walk.final_tree.size()),
      std::to_string(analysis_b.walk.final_tree.size()));
  row("findings", std::to_string(analysis_a.findings.size()),
      std::to_string(analysis_b.findings.size()));
  std::size_t shared = 0;
  while (shared < a.info.layers.size() && shared < b.info.layers.size() &&
         !a.info.layers[shared].diff_id.empty() &&
         a.info.layers[shared].diff_id == b.info.layers[shared].diff_id)
    ++shared;
  out += "\nshared base layers: " + std::to_string(shared) + "\n";
  auto files_a = final_files(a, analysis_a);
  auto files_b = final_files(b, analysis_b);
  struct Change {
    char mark;
    std::string path;
    std::uint64_t size;
  };
  std::vector<Change> changes;
  for (const auto& [path, entry] : files_a) {
    auto it = files_b.find(path);
    if (it == files_b.end())
      changes.push_back({'-', path, entry->size});
    else if (entry->size != it->second->size || entry->content != it->second->content ||
             entry->type != it->second->type)
      changes.push_back({'~', path, std::max(entry->size, it->second->size)});
  }
  for (const auto& [path, entry] : files_b) {
    if (!files_a.count(path))
      changes.push_back({'+', path, entry->size});
  }
  std::stable_sort(changes.begin(), changes.end(),
                   [](const Change& x, const Change& y) { return x.size > y.size; });
  out += "files that differ: " + std::to_string(changes.size()) +
         " (- only in A, + only in B, ~ changed)\n";
  for (std::size_t i = 0; i < changes.size() && i < max_items; ++i)
    out += format_line("  %c %10s  /%s\n", changes[i].mark, human_bytes(changes[i].size).c_str(),
                       changes[i].path.c_str());
  return out;
}

std::string render_rules(const std::vector<DynamicRule>& secret_rules) {
  std::string out;
  auto add = [&](std::string_view id, Severity severity, std::string_view description,
                 std::string_view fix) {
    out += format_line("%-30s %-8s ", std::string(id).c_str(),
                       std::string(to_string(severity)).c_str()) +
           std::string(description) + "\n" + std::string(41, ' ') + "fix: " + std::string(fix) +
           "\n";
  };
  for (const Rule& rule : all_rules())
    add(rule.id, rule.severity, rule.description, rule.fix);
  if (!secret_rules.empty())
    out += "\nsecret rules (" + std::to_string(secret_rules.size()) +
           "; a finding names the layer, path and line or config field)\n";
  for (const DynamicRule& rule : secret_rules)
    add(rule.id, rule.severity, rule.description, rule.fix);
  return out;
}

} // namespace analyzer
