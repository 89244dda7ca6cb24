#pragma once

#include "analyzer/analysis.h"
#include "analyzer/dockerfile_map.h"
#include "analyzer/policy.h"

#include <string>

namespace analyzer {

/// The version of the JSON report (docs/json-schema.md). Bumped on any
/// incompatible change; fields are only added within a version.
inline constexpr std::string_view k_json_schema_version = "cscan.report/v1";

/// Everything a report renders.
struct ReportInput {
  const Image& image;
  const Analysis& analysis;
  const GateResult& gate;
  const DockerfileMap* dockerfile = nullptr; ///< set with --dockerfile
  std::string dockerfile_path;               ///< as given, repo-relative for SARIF
  bool color = false;                        ///< ANSI colours (text only)
  std::size_t max_items = 20;                ///< list lengths in text/markdown
};

/// For people: findings first (worst first), then efficiency, layers, gate.
std::string render_text(const ReportInput& input);
/// The versioned JSON report.
std::string render_json(const ReportInput& input);
/// SARIF 2.1.0 as GitHub code scanning accepts it.
std::string render_sarif(const ReportInput& input);
/// A pull-request comment.
std::string render_markdown(const ReportInput& input);

/// Number of file entries (not whiteouts, not the root) of a layer.
std::size_t file_count(const LayerTable& layer);
/// Number of whiteouts and opaque whiteouts of a layer.
std::size_t whiteout_count(const LayerTable& layer);

} // namespace analyzer
