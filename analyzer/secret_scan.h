#pragma once

#include "analyzer/analysis.h"
#include "analyzer/layer_scanner.h"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace secrets {
class RuleSet;
struct Finding;
struct Rule;
} // namespace secrets

namespace analyzer {

/// How `cscan scan` runs the secret scanner.
struct SecretScanOptions {
  std::string rules_file;    ///< --rules FILE (gitleaks TOML); empty: the built-in rules
  bool show_secrets = false; ///< --show-secrets: raw matches in reports (local debugging only)
};

/// Runs the secret scanner (analyzer/secrets, cscan_secrets) over every file's
/// content while layers stream, and over the config and history afterwards.
/// Usage: put hook() into LoadOptions::scan.hook, load, scan_config(), analyze,
/// then finish(image, analysis).
class SecretScan {
public:
  /// Compiles the built-in rules, or resolves `options.rules_file` against
  /// them (gitleaks' [extend] semantics). Throws core::Error if the file
  /// cannot be read or parsed, or if no rule compiles; rules that fail alone
  /// are left out and listed in warnings().
  explicit SecretScan(const SecretScanOptions& options = {});
  ~SecretScan();
  SecretScan(const SecretScan&) = delete;
  SecretScan& operator=(const SecretScan&) = delete;

  /// Rules of the --rules file that were left out, one line each, with the reason.
  const std::vector<std::string>& warnings() const noexcept { return m_warnings; }

  /// Every rule as cscan reports it ("secret/<id>"), for `cscan rules` and --disable.
  std::vector<DynamicRule> catalog() const;

  /// The per-file content hook; valid while this object lives.
  ContentHook hook();

  /// Scans the config and history, then masks every secret found there in
  /// `info` (Env, Labels, Cmd, created_by, ...) so that no report or message
  /// prints it, unless --show-secrets. Call before analyze(): its messages
  /// quote instructions, and build args sit in them.
  void scan_config(ImageInfo& info);

  /// Findings "secret/<rule id>" (see secret_findings()), from the files fed
  /// to hook() and from scan_config() (run now if it was not).
  std::vector<Finding> findings(Image& image, const LayerWalk& walk);

  /// Adds findings() and the rules that fired to `analysis` and sorts the findings.
  void finish(Image& image, Analysis& analysis);

private:
  struct LayerState;
  LayerState& state_for(std::uint32_t layer);
  void on_chunk(std::uint32_t layer, const FileEntry& entry, std::string_view chunk, bool last);

  std::shared_ptr<const secrets::RuleSet> m_rules;
  SecretScanOptions m_options;
  std::vector<std::string> m_warnings;
  std::vector<secrets::Finding> m_config_found; ///< from scan_config()
  bool m_config_scanned = false;
  std::mutex m_mutex;
  std::map<std::uint32_t, std::unique_ptr<LayerState>> m_layers;
};

/// The engine's findings turned into cscan findings, rule id
/// "secret/<engine id>": copies of one secret at one path in several layers
/// (same fingerprint) become one finding that names the layer that added it,
/// whether it is still in the final file system or which layer deleted or
/// overwrote it, and every layer that still ships it. The fingerprint is the
/// engine's full SHA-256 (rule, secret, path or config place), stable across
/// rebuilds. `show` keeps raw matches (--show-secrets).
std::vector<Finding> secret_findings(const Image& image, const LayerWalk& walk,
                                     const std::vector<secrets::Finding>& in_files,
                                     const std::vector<secrets::Finding>& in_config, bool show);

/// An engine rule as cscan reports it: id "secret/<id>", SARIF name
/// "Secret<CamelCase>", severity, fix (a generic one when the rule has none),
/// tags "secret" and CWE-798 plus the rule's own (scope tags left out).
DynamicRule dynamic_rule(const secrets::Rule& rule);

/// Replaces every occurrence of each of `secrets` (at least 4 bytes long) in
/// the config and history of `info` with its masked form.
void mask_secrets(ImageInfo& info, const std::vector<std::string>& secrets);

} // namespace analyzer
