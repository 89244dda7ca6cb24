#pragma once

#include "core/image_config.h"
#include "dockerfile-parser/env.h"
#include "dockerfile-parser/instructions.h"

#include <string>
#include <vector>

/// The instructions that only change the image config (ENV, LABEL, USER,
/// CMD, …) and the texts a step records in the image history.
namespace builder {

/// What a stage tracks besides its config while its steps run.
struct StageVars {
  dockerfile::Env args; ///< ARG values in scope (visible to RUN, not stored)
  bool cmd_set = false; ///< CMD was set in this stage (ENTRYPOINT then keeps it)
};

/// The shell of the stage: SHELL, else ["/bin/sh", "-c"].
std::vector<std::string> stage_shell(const core::ImageConfig& config);

/// The argv of a RUN/CMD/ENTRYPOINT command: exec form as is, shell form
/// through the stage's shell.
std::vector<std::string> command_argv(const dockerfile::CommandLine& command,
                                      const core::ImageConfig& config);

/// ENV, ARG values and the variables RUN sees: the config env, then ARGs not
/// overridden by ENV; PATH defaulted.
dockerfile::Env expansion_env(const core::ImageConfig& config, const StageVars& vars);
std::vector<std::string> run_env(const core::ImageConfig& config, const StageVars& vars);

/// Applies a config-only instruction (already expanded) and returns the
/// history text BuildKit records for it. Not for RUN, COPY, ADD, ARG or WORKDIR.
std::string apply_config_step(const dockerfile::Instruction& instruction, core::ImageConfig& config,
                              StageVars& vars);

/// Sets WORKDIR as BuildKit does (a relative path joins the current one and
/// is cleaned; an absolute one is kept as written); returns the new path
/// cleaned, for file system use.
std::string apply_workdir(const std::string& path, core::ImageConfig& config);

/// "RUN |2 A=1 B=2 /bin/sh -c make # buildkit".
std::string run_history(const std::vector<std::string>& argv, const StageVars& vars);

/// Go's fmt of a string slice: `["/bin/sh" "-c" "x"]`.
std::string go_list(const std::vector<std::string>& items);

} // namespace builder
