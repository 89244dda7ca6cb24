#pragma once

#include "core/image_config.h"
#include "dockerfile-parser/instructions.h"

#include <string>
#include <vector>

namespace builder {

/// The argv of a RUN whose line has heredocs, by BuildKit's rules:
/// - `RUN <<EOF` alone: the body runs as the script of the stage's shell,
///   or, when it starts with `#!`, as an executable script (the interpreter
///   of its `#!` line gets the body as a file; BuildKit mounts it at
///   /dev/pipes/EOF, cbuild passes it as /dev/fd/3 so any USER can read it);
/// - anything else (the shell strips `<<-` tabs itself) (`RUN python3 <<EOF`, `RUN <<A cat - <<B`):
/// the line and
///   the bodies, each followed by its terminator, go to the shell as one
///   script, so the shell feeds the heredocs.
/// Throws InputError for an exec-form RUN with heredocs.
std::vector<std::string> heredoc_run_argv(const dockerfile::CommandLine& command,
                                          const core::ImageConfig& config);

/// True when `line` is only the marker of `file` (`<<EOF`, `<<-"EOF"`).
bool is_lone_heredoc_marker(const std::string& line, const dockerfile::InlineFile& file);

} // namespace builder
