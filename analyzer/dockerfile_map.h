#pragma once

#include "analyzer/image_info.h"
#include "analyzer/rules.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace analyzer {

/// A line range of a Dockerfile instruction (1-based, inclusive).
struct DockerfileSpan {
  int start_line = 0;
  int end_line = 0;
};

/// Maps layers and config findings to the Dockerfile instructions that made
/// them, for SARIF locations (`--dockerfile`). Uses the final stage only.
class DockerfileMap {
public:
  /// Parses `text`; never throws (an unparsable file maps nothing).
  DockerfileMap(std::string_view text, const ImageInfo& info);

  /// The instruction a finding points at: its layer's instruction, the
  /// USER/ENV/HEALTHCHECK line for config findings, else the final FROM.
  std::optional<DockerfileSpan> locate(const Finding& finding) const;

private:
  struct Instruction {
    std::string keyword; ///< lower-case
    std::string text;    ///< the logical line with whitespace collapsed
    DockerfileSpan span;
  };
  std::optional<DockerfileSpan> find_keyword(std::string_view keyword,
                                             std::string_view containing = {}) const;

  std::vector<Instruction> m_final_stage;                   ///< from the last FROM on
  std::vector<std::optional<DockerfileSpan>> m_layer_lines; ///< [layer]
};

} // namespace analyzer
