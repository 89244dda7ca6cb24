#include "dockerfile-parser/expand.h"
#include "dockerfile-parser/parser.h"

#include <catch2/catch.hpp>

using namespace dockerfile;

namespace {

Instruction typed_one(std::string_view line) {
  ParseResult r = parse("FROM a\n" + std::string(line) + "\n");
  REQUIRE(r.ok());
  Dockerfile d = to_instructions(r.ast);
  REQUIRE(d.ok());
  return d.stages.at(0).instructions.at(0);
}

Env stage_env() {
  Env env;
  env.set("DIR", "/app");
  env.set("USER_ID", "1000");
  env.set("PORTS", "80 443");
  env.set("NAME", "web");
  return env;
}

Instruction expanded(std::string_view line) {
  Instruction i = typed_one(line);
  REQUIRE(expand_instruction(i, stage_env(), ShellLex()).empty());
  return i;
}

} // namespace

TEST_CASE("expand_instruction expands the fields Docker expands", "[expand]") {
  CHECK(expanded("WORKDIR $DIR/src").as<WorkdirInstruction>()->path == "/app/src");
  CHECK(expanded("USER ${USER_ID}").as<UserInstruction>()->user == "1000");
  CHECK(expanded("VOLUME $DIR/data").as<VolumeInstruction>()->volumes[0] == "/app/data");
  CHECK(expanded("STOPSIGNAL SIG${NAME:+TERM}").as<StopsignalInstruction>()->signal == "SIGTERM");
  CHECK(expanded("EXPOSE $PORTS 8080").as<ExposeInstruction>()->ports ==
        std::vector<std::string>{"80", "443", "8080"});
  const Instruction env_i = expanded("ENV P=$DIR/bin Q=\"a $NAME\"");
  const EnvInstruction* env = env_i.as<EnvInstruction>();
  CHECK(env->vars[0].value == "/app/bin");
  CHECK(env->vars[1].value == "a web");
  CHECK(expanded("LABEL \"x.$NAME\"='$raw'").as<LabelInstruction>()->labels[0].key == "x.web");
  CHECK(expanded("LABEL \"x.$NAME\"='$raw'").as<LabelInstruction>()->labels[0].value == "$raw");
  const Instruction copy_i =
      expanded("COPY --from=$NAME --chown=$USER_ID --exclude=$NAME.md $DIR/a ${DIR}/b $DIR/");
  const CopyInstruction* copy = copy_i.as<CopyInstruction>();
  CHECK(copy->from == "web");
  CHECK(copy->files.chown == "1000");
  CHECK(copy->files.excludes == std::vector<std::string>{"web.md"});
  CHECK(copy->files.sources == std::vector<std::string>{"/app/a", "/app/b"});
  CHECK(copy->files.dest == "/app/");
  CHECK(expanded("RUN --mount=type=cache,target=$DIR echo $DIR").as<RunInstruction>()->mounts[0] ==
        "type=cache,target=/app");
}

TEST_CASE("expand_instruction leaves commands to the shell", "[expand]") {
  CHECK(expanded("RUN echo $DIR").as<RunInstruction>()->command.args[0] == "echo $DIR");
  CHECK(expanded("CMD echo $DIR").as<CmdInstruction>()->command.args[0] == "echo $DIR");
}

TEST_CASE("expand_instruction expands unquoted heredoc files only", "[expand]") {
  ParseResult r = parse("FROM a\nCOPY <<A <<'B' /d\n\"$NAME\" \\$x\nA\n$NAME\nB\n");
  Dockerfile d = to_instructions(r.ast);
  Instruction i = d.stages[0].instructions[0];
  REQUIRE(expand_instruction(i, stage_env(), ShellLex()).empty());
  const auto& files = i.as<CopyInstruction>()->files.inline_sources;
  CHECK(files[0].data == "\"web\" \\$x\n");
  CHECK(files[1].data == "$NAME\n");
}

TEST_CASE("expand_instruction reports expansion errors", "[expand]") {
  Instruction i = typed_one("WORKDIR ${MISSING:?set it}");
  CHECK(expand_instruction(i, stage_env(), ShellLex()).find("MISSING: set it") !=
        std::string::npos);
}

TEST_CASE("ARG scoping: globals for FROM, re-declared in stages, build-arg overrides", "[expand]") {
  ParseResult r = parse("ARG BASE=alpine\nARG TAG=${BASE}-3\nARG ONLY_GLOBAL=g\n"
                        "FROM --platform=$BUILDPLATFORM $BASE:$TAG\n"
                        "ARG TAG\nARG LOCAL=l-$TAG\nARG TARGETARCH\nARG NOPE\n");
  REQUIRE(r.ok());
  Dockerfile d = to_instructions(r.ast);
  REQUIRE(d.ok());
  ArgInputs inputs;
  inputs.platform = platform_args(Platform{"linux", "amd64", ""}, Platform{"linux", "arm64", "v8"});
  inputs.build_args.set("BASE", "debian");
  std::vector<std::string> errors;
  const ShellLex lex;
  Env global = global_scope(d.global_args, inputs, lex, errors);
  CHECK(errors.empty());
  CHECK(global.get("TAG") == "debian-3");
  std::string error;
  ExpandedFrom from = expand_from(d.stages[0], global, lex, error);
  CHECK(error.empty());
  CHECK(from.base_name == "debian:debian-3");
  CHECK(from.platform == "linux/amd64");

  Env stage_args;
  for (const Instruction& i : d.stages[0].instructions) {
    CHECK(declare_stage_args(*i.as<ArgInstruction>(), inputs, global, stage_args, stage_args, lex)
              .empty());
  }
  CHECK(stage_args.get("TAG") == "debian-3");     // inherited global value
  CHECK(stage_args.get("LOCAL") == "l-debian-3"); // default expanded in the stage
  CHECK(stage_args.get("TARGETARCH") == "arm64"); // platform arg on request
  CHECK_FALSE(stage_args.has("NOPE"));            // declared without a value
  CHECK_FALSE(stage_args.has("ONLY_GLOBAL"));     // not re-declared: not visible
}

TEST_CASE("platform_args and predefined proxy args", "[expand]") {
  Env env = platform_args(Platform{"linux", "amd64", ""}, Platform{"linux", "arm", "v7"});
  CHECK(env.get("TARGETPLATFORM") == "linux/arm/v7");
  CHECK(env.get("TARGETVARIANT") == "v7");
  CHECK(env.get("BUILDOS") == "linux");
  CHECK(std::find(predefined_proxy_args().begin(), predefined_proxy_args().end(), "no_proxy") !=
        predefined_proxy_args().end());
  CHECK(Platform::parse("linux/arm64")->architecture == "arm64");
  CHECK_FALSE(Platform::parse("linux"));
}
