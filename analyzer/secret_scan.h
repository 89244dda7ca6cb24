#pragma once

#include "analyzer/analysis.h"
#include "analyzer/layer_scanner.h"

#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace secrets {
class RuleSet;
struct Finding;
} // namespace secrets

namespace analyzer {

/// Runs the secret scanner (analyzer/secrets, cscan_secrets) over every file's
/// content while layers stream, and over the config and history afterwards.
/// Usage: put hook() into LoadOptions::scan.hook, load, analyze, then append
/// findings(image, walk) to the analysis and sort.
class SecretScan {
public:
  /// Compiles the built-in rules; throws core::Error if none compile.
  SecretScan();
  ~SecretScan();
  SecretScan(const SecretScan&) = delete;
  SecretScan& operator=(const SecretScan&) = delete;

  /// The per-file content hook; valid while this object lives.
  ContentHook hook();

  /// Findings of rule "secrets/leaked-secret": files (with whether the walk
  /// shows the file deleted or overwritten later, still shipped), config
  /// fields and history. Call once, after the image is loaded.
  std::vector<Finding> findings(const Image& image, const LayerWalk& walk);

private:
  struct LayerState;
  LayerState& state_for(std::uint32_t layer);
  void on_chunk(std::uint32_t layer, const FileEntry& entry, std::string_view chunk, bool last);

  std::shared_ptr<const secrets::RuleSet> m_rules;
  std::mutex m_mutex;
  std::map<std::uint32_t, std::unique_ptr<LayerState>> m_layers;
};

} // namespace analyzer
