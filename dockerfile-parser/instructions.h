#pragma once

#include "dockerfile-parser/ast.h"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

/// The typed layer: each instruction as its own plain struct, checked the way
/// BuildKit's instructions package checks it (flags, argument counts, values).
/// Fields hold the text as written; variable expansion happens later, per
/// build step, with expand.h, because Docker expands with the stage's env at
/// build time.
namespace dockerfile {

/// A NAME=VALUE pair of ENV or LABEL. Quotes and escapes are still in both.
struct KeyValue {
  std::string key;
  std::string value;
  bool legacy_form = false; ///< written as `ENV key value` (no '=')
};

/// One name of an ARG instruction, with its default if it has one.
struct ArgDefinition {
  std::string key;
  std::optional<std::string> default_value; ///< raw text after '=', unexpanded
};

/// A heredoc used by an instruction: an inline script (RUN) or a file (COPY/ADD).
struct InlineFile {
  std::string name;   ///< the heredoc name; for COPY/ADD also the file's name
  std::string data;   ///< the body; for `<<-` already without leading TABs
  bool expand = true; ///< variables in `data` are expanded (name was unquoted)
  bool chomp = false; ///< written as `<<-`
};

/// The command of RUN, CMD and ENTRYPOINT.
struct CommandLine {
  /// Exec form: the argv. Shell form: one string, the arguments joined by spaces.
  std::vector<std::string> args;
  bool shell_form = true;        ///< run through the stage's SHELL (`/bin/sh -c`)
  std::vector<InlineFile> files; ///< heredocs of the line (RUN only)
};

/// One `RUN --mount=...` as BuildKit reads it before expansion.
struct Mount {
  std::string type = "bind"; ///< bind, cache, tmpfs, secret or ssh
  std::string from;
  std::string source;
  std::string target;
  bool read_only = true;  ///< default: false for cache and tmpfs, true otherwise
  bool required = false;  ///< secret and ssh only
  int64_t size_limit = 0; ///< tmpfs size in bytes, 0 for no limit
  std::string cache_id;
  std::string sharing;            ///< cache: shared, private or locked ("" = shared)
  std::optional<std::string> env; ///< secret: env var to expose it as
  std::optional<uint32_t> mode;   ///< octal file mode (cache, secret, ssh)
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
};

struct RunInstruction {
  CommandLine command;
  std::vector<std::string> mounts; ///< raw --mount values; see parse_mount()
  std::string network;             ///< "", "default", "none" or "host"
  std::string security;            ///< "", "sandbox" or "insecure"
};
struct CmdInstruction {
  CommandLine command;
};
struct EntrypointInstruction {
  CommandLine command; ///< empty args (`ENTRYPOINT []`) resets the entrypoint
};
struct ShellInstruction {
  std::vector<std::string> shell; ///< always JSON form
};

/// What COPY and ADD share: sources (paths and heredoc files) and destination.
struct SourcesAndDest {
  std::vector<std::string> sources;       ///< paths, URLs or globs as written
  std::vector<InlineFile> inline_sources; ///< `COPY <<EOF /dest`
  std::string dest;
  std::vector<std::string> excludes; ///< --exclude patterns
  std::string chown;
  std::string chmod;
  bool link = false;
};
struct CopyInstruction {
  SourcesAndDest files;
  std::string from; ///< --from: a stage name, index or image
  bool parents = false;
};
struct AddInstruction {
  SourcesAndDest files;
  std::optional<bool> keep_git_dir; ///< unset when the flag was not given
  std::string checksum;
  std::optional<bool> unpack;
};

struct EnvInstruction {
  std::vector<KeyValue> vars;
};
struct ArgInstruction {
  std::vector<ArgDefinition> args;
};
struct LabelInstruction {
  std::vector<KeyValue> labels;
};
struct WorkdirInstruction {
  std::string path;
};
struct UserInstruction {
  std::string user;
};
struct ExposeInstruction {
  std::vector<std::string> ports; ///< sorted, as BuildKit stores them
};
struct VolumeInstruction {
  std::vector<std::string> volumes;
};
struct StopsignalInstruction {
  std::string signal;
};
struct MaintainerInstruction {
  std::string maintainer;
};
struct OnbuildInstruction {
  std::string expression; ///< the trigger's source text (heredocs appended)
};

/// HEALTHCHECK in image-config terms. Durations are nanoseconds, 0 = default.
struct HealthcheckInstruction {
  /// {"NONE"}, {"CMD", argv...} (exec form) or {"CMD-SHELL", "command"}.
  std::vector<std::string> test;
  int64_t interval_ns = 0;
  int64_t timeout_ns = 0;
  int64_t start_period_ns = 0;
  int64_t start_interval_ns = 0;
  int retries = 0;
};

using InstructionBody =
    std::variant<RunInstruction, CmdInstruction, EntrypointInstruction, ShellInstruction,
                 CopyInstruction, AddInstruction, EnvInstruction, ArgInstruction, LabelInstruction,
                 WorkdirInstruction, UserInstruction, ExposeInstruction, VolumeInstruction,
                 StopsignalInstruction, MaintainerInstruction, OnbuildInstruction,
                 HealthcheckInstruction>;

/// One typed instruction inside a stage.
struct Instruction {
  std::string keyword; ///< upper case: "RUN", "COPY"
  std::string source;  ///< the logical line, trimmed (cache-key text)
  int start_line = 0;
  int end_line = 0;
  std::vector<std::string> flags; ///< the builder flags as written
  InstructionBody body;

  template <class T> const T* as() const { return std::get_if<T>(&body); }
  template <class T> T* as() { return std::get_if<T>(&body); }
};

/// A FROM and the instructions that follow it.
struct Stage {
  std::string base_name; ///< image or earlier stage, unexpanded ("alpine:$V")
  std::string name;      ///< lower-cased AS name, "" when unnamed
  std::string platform;  ///< --platform value, unexpanded
  std::string source;    ///< the FROM line, trimmed
  int start_line = 0;
  int end_line = 0;
  std::vector<std::string> comments; ///< comments right above FROM
  std::vector<Instruction> instructions;
};

/// The typed form of a whole Dockerfile.
struct Dockerfile {
  std::vector<ArgInstruction> global_args; ///< ARGs before the first FROM
  std::vector<Stage> stages;
  char escape = '\\'; ///< for the ShellLex used to expand
  std::vector<core::Diagnostic> diagnostics;

  bool ok() const { return !core::has_errors(diagnostics); }
};

/// Converts the AST into stages of typed instructions, checking each like
/// BuildKit (unknown instructions and flags get a "did you mean" hint). Keeps
/// going after a bad instruction so every error is reported. `source` is the
/// Dockerfile text; when given, flag errors point at the flag's column.
Dockerfile to_instructions(const Ast& ast, std::string_view filename = "Dockerfile",
                           std::string_view source = {});

/// Parses one `--mount` value (CSV of key=value) after its expansion.
/// Returns an error message in `error` and nullopt when it is invalid.
std::optional<Mount> parse_mount(std::string_view value, std::string& error);

/// The keys a `--mount` of `type` accepts (BuildKit's, per type), comma
/// separated, for messages: "type, target, size" for tmpfs. Empty for an
/// unknown type.
std::string accepted_mount_keys(std::string_view type);

/// The type a `--mount` value names ("bind" when it names none).
std::string mount_type_of(std::string_view value);

/// Go's time.ParseDuration ("1m30s", "500ms"): nanoseconds, or nullopt.
std::optional<int64_t> parse_duration(std::string_view text);

/// The upper-case names of all instructions.
const std::vector<std::string_view>& instruction_names();

} // namespace dockerfile
