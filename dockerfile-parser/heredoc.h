#pragma once

#include "dockerfile-parser/ast.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dockerfile {

/// The result of looking for heredoc markers: the markers, or an error message.
struct HeredocMarkers {
  std::vector<Heredoc> markers; ///< name, fd, expand, chomp; content still empty
  std::string error;            ///< non-empty when a marker could not be lexed
};

/// Reads one word as a heredoc marker (`<<EOF`, `3<<-'EOF'`, `<<E"O"F`):
/// nullopt when the word is not a marker. Sets `error` when lexing fails.
std::optional<Heredoc> parse_heredoc_marker(std::string_view word, std::string& error);

/// All heredoc markers of a RUN/COPY/ADD logical line, in order. A line that
/// does not lex (an unbalanced quote) has none.
HeredocMarkers heredoc_markers(std::string_view line);

/// A `<<-` body as it is used: leading TABs removed from every line.
std::string chomp_heredoc(std::string_view content);

} // namespace dockerfile
