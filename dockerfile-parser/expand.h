#pragma once

#include "dockerfile-parser/env.h"
#include "dockerfile-parser/instructions.h"
#include "dockerfile-parser/shell_lex.h"

#include <string>
#include <vector>

/// Build-time variable expansion: which fields Docker expands, with which
/// variables in scope. The builder calls these per step with the stage's
/// current ENV and ARG values.
namespace dockerfile {

/// An OS/architecture pair such as linux/arm64/v8.
struct Platform {
  std::string os = "linux";
  std::string architecture = "amd64";
  std::string variant;

  /// "linux/arm64" or "linux/arm/v7".
  std::string to_string() const;
  /// Parses "os/arch[/variant]"; nullopt when malformed.
  static std::optional<Platform> parse(std::string_view text);
};

/// Docker's proxy ARGs (HTTP_PROXY, https_proxy, NO_PROXY, ...): usable as
/// build args without an ARG instruction.
const std::vector<std::string_view>& predefined_proxy_args();

/// TARGETPLATFORM, TARGETOS, TARGETARCH, TARGETVARIANT and the BUILD* four.
/// BuildKit puts them in the global scope automatically; a stage sees them
/// after `ARG TARGETARCH` (without a default).
Env platform_args(const Platform& build, const Platform& target);

/// The user's `--build-arg` values plus the platform args.
struct ArgInputs {
  Env build_args; ///< --build-arg NAME=VALUE overrides
  Env platform;   ///< from platform_args()
};

/// Evaluates the ARGs before the first FROM, in order: a --build-arg value
/// wins, otherwise the default expanded with the globals so far. The result
/// is the scope FROM lines are expanded with. Errors are appended to `errors`.
Env global_scope(const std::vector<ArgInstruction>& global_args, const ArgInputs& inputs,
                 const ShellLex& lex, std::vector<std::string>& errors);

/// Applies `ARG` inside a stage: each name gets the --build-arg value, else
/// its expanded default, else the global value of that name, else a platform
/// arg of that name; names with none of these stay undefined. `stage_env` is
/// the stage's ENV plus ARGs so far (used for expanding defaults); the
/// values are set in `stage_args`. Returns an error message or "".
std::string declare_stage_args(const ArgInstruction& arg, const ArgInputs& inputs,
                               const Env& global, const Env& stage_env, Env& stage_args,
                               const ShellLex& lex);

/// The values FROM uses after expansion with the global scope.
struct ExpandedFrom {
  std::string base_name;
  std::string platform;
};

/// Expands FROM's image and --platform with the global ARGs.
/// Returns an error message in `error` when expansion fails.
ExpandedFrom expand_from(const Stage& stage, const Env& global, const ShellLex& lex,
                         std::string& error);

/// Expands, in place, the fields Docker expands for `instruction`, using
/// `env` (the stage's ENV and the ARGs in scope):
/// ENV and LABEL keys and values; ARG names and defaults; WORKDIR; USER;
/// VOLUME; STOPSIGNAL; EXPOSE (with word splitting); COPY/ADD sources,
/// destination, --chown, --chmod, --from, --exclude, ADD --checksum and
/// heredoc bodies that were not quoted; RUN --mount values. RUN, CMD,
/// ENTRYPOINT, SHELL, HEALTHCHECK and ONBUILD are left alone: the shell or
/// the later build expands them. Returns an error message or "".
std::string expand_instruction(Instruction& instruction, const Env& env, const ShellLex& lex);

} // namespace dockerfile
