// libFuzzer target for the Dockerfile parser: every phase a hostile
// Dockerfile reaches (parse, dump, typed instructions, JSON, build-time
// expansion) plus the .dockerignore matcher. Build and run: docs/dockerfile.md.
#include "dockerfile-parser/dockerignore.h"
#include "dockerfile-parser/expand.h"
#include "dockerfile-parser/instructions.h"
#include "dockerfile-parser/instructions_json.h"
#include "dockerfile-parser/parser.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  dockerfile::ParseResult parsed = dockerfile::parse(text, "Dockerfile");
  for (const auto& d : parsed.diagnostics) {
    (void)core::render(d, text);
  }
  (void)dockerfile::dump(parsed.ast);

  dockerfile::Dockerfile typed = dockerfile::to_instructions(parsed.ast, "Dockerfile", text);
  (void)dockerfile::to_json(typed).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);

  dockerfile::ShellLexOptions options;
  options.escape = static_cast<unsigned char>(typed.escape);
  const dockerfile::ShellLex lex(options);
  dockerfile::ArgInputs inputs;
  inputs.platform = dockerfile::platform_args({}, {});
  std::vector<std::string> errors;
  dockerfile::Env env = dockerfile::global_scope(typed.global_args, inputs, lex, errors);
  for (dockerfile::Stage& stage : typed.stages) {
    std::string error;
    (void)dockerfile::expand_from(stage, env, lex, error);
    for (dockerfile::Instruction& instruction : stage.instructions) {
      (void)dockerfile::expand_instruction(instruction, env, lex);
      if (const auto* run = instruction.as<dockerfile::RunInstruction>()) {
        for (const std::string& m : run->mounts) {
          (void)dockerfile::parse_mount(m, error);
        }
      }
    }
  }

  // The same bytes as a .dockerignore, matched against a few paths.
  std::string ignore_error;
  dockerfile::DockerIgnore ignore = dockerfile::DockerIgnore::parse(text, ignore_error);
  for (std::string_view path : {"a", "src/main.c", "docs/x/README.md", ".git/config"}) {
    (void)ignore.is_excluded(path);
  }
  return 0;
}
