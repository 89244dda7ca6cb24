#include "dockerfile-parser/instructions.h"
#include "dockerfile-parser/instructions_json.h"
#include "dockerfile-parser/parser.h"

#include <catch2/catch.hpp>

using namespace dockerfile;

namespace {

Dockerfile typed(std::string_view text) {
  ParseResult r = parse(text);
  REQUIRE(r.ok());
  return to_instructions(r.ast, "Dockerfile", text);
}

/// The single instruction of the first stage after "FROM a".
Instruction only(std::string_view line) {
  Dockerfile d = typed("FROM a\n" + std::string(line) + "\n");
  INFO(line);
  REQUIRE(d.ok());
  REQUIRE(d.stages.size() == 1);
  REQUIRE(d.stages[0].instructions.size() == 1);
  return d.stages[0].instructions[0];
}

std::string error_of(std::string_view text) {
  Dockerfile d = typed(text);
  REQUIRE(d.diagnostics.size() == 1);
  const auto& diag = d.diagnostics[0];
  return diag.message + (diag.hint.empty() ? "" : " (" + diag.hint + ")");
}

} // namespace

TEST_CASE("FROM builds stages with name and platform", "[instructions]") {
  Dockerfile d = typed("ARG V=1\nFROM --platform=$BUILDPLATFORM golang:$V AS Build\n"
                       "RUN x\nFROM scratch\n");
  REQUIRE(d.ok());
  REQUIRE(d.global_args.size() == 1);
  CHECK(d.global_args[0].args[0].key == "V");
  REQUIRE(d.stages.size() == 2);
  CHECK(d.stages[0].base_name == "golang:$V");
  CHECK(d.stages[0].name == "build");
  CHECK(d.stages[0].platform == "$BUILDPLATFORM");
  CHECK(d.stages[0].instructions.size() == 1);
  CHECK(d.stages[1].name.empty());
  CHECK(error_of("FROM a AS 1x\n") ==
        "invalid name for build stage: \"1x\", name can't start with a number or contain "
        "symbols");
  CHECK(error_of("FROM a b\n") == "FROM requires either one or three arguments");
  CHECK(error_of("RUN x\n") ==
        "no build stage in current context (start the Dockerfile with FROM)");
}

TEST_CASE("RUN reads exec and shell form, mounts, network and security", "[instructions]") {
  Instruction i = only("RUN --mount=type=cache,target=/root/.cache --network=none "
                       "--security=insecure [\"make\", \"-j2\"]");
  const RunInstruction* run = i.as<RunInstruction>();
  REQUIRE(run);
  CHECK(run->command.args == std::vector<std::string>{"make", "-j2"});
  CHECK_FALSE(run->command.shell_form);
  CHECK(run->mounts == std::vector<std::string>{"type=cache,target=/root/.cache"});
  CHECK(run->network == "none");
  CHECK(run->security == "insecure");
  CHECK(only("RUN echo $HOME").as<RunInstruction>()->command.shell_form);
  CHECK(error_of("FROM a\nRUN --network=bridge x\n") ==
        "unsupported network mode \"bridge\" (use default, none or host)");
  CHECK(error_of("FROM a\nRUN --mount=type=secret x\n") ==
        "invalid secret mount. one of source, target required");
  CHECK(error_of("FROM a\nRUN --mnt=x y\n") == "unknown flag '--mnt' (did you mean '--mount'?)");
}

TEST_CASE("RUN heredocs become inline files", "[instructions]") {
  Dockerfile d = typed("FROM a\nRUN <<-EOF bash\n\techo $X\n\tEOF\n");
  const RunInstruction* run = d.stages[0].instructions[0].as<RunInstruction>();
  REQUIRE(run);
  REQUIRE(run->command.files.size() == 1);
  CHECK(run->command.files[0].name == "EOF");
  CHECK(run->command.files[0].chomp);
  CHECK(run->command.args == std::vector<std::string>{"<<-EOF bash"});
}

TEST_CASE("parse_mount reads every mount type's options", "[instructions]") {
  std::string error;
  auto m = parse_mount("type=cache,target=/c,id=go,sharing=locked,mode=0755,uid=1", error);
  REQUIRE(m);
  CHECK(m->type == "cache");
  CHECK_FALSE(m->read_only);
  CHECK(m->sharing == "locked");
  CHECK(m->mode == 0755u);
  CHECK(m->uid == 1u);
  m = parse_mount("type=bind,from=build,source=/out,target=/in,rw", error);
  REQUIRE(m);
  CHECK_FALSE(m->read_only);
  CHECK(m->from == "build");
  m = parse_mount("type=tmpfs,target=/t,size=64m", error);
  REQUIRE(m);
  CHECK(m->size_limit == 64 * 1024 * 1024);
  m = parse_mount("type=secret,id=tok,env=TOKEN,required", error);
  REQUIRE(m);
  CHECK(m->required);
  CHECK(m->env == "TOKEN");
  CHECK_FALSE(parse_mount("type=bind,mode=0755,target=/x", error));
  CHECK(error == "mode not allowed for \"bind\" type mounts");
  CHECK_FALSE(parse_mount("type=cache,trget=/x", error));
  CHECK(error.find("did you mean target?") != std::string::npos);
}

TEST_CASE("COPY and ADD read their flags and heredoc sources", "[instructions]") {
  Instruction i = only("COPY --from=build --chown=1:1 --chmod=0644 --link --parents "
                       "--exclude=*.md --exclude=tmp a b /dst/");
  const CopyInstruction* copy = i.as<CopyInstruction>();
  REQUIRE(copy);
  CHECK(copy->from == "build");
  CHECK(copy->files.chown == "1:1");
  CHECK(copy->files.chmod == "0644");
  CHECK(copy->files.link);
  CHECK(copy->parents);
  CHECK(copy->files.excludes == std::vector<std::string>{"*.md", "tmp"});
  CHECK(copy->files.sources == std::vector<std::string>{"a", "b"});
  CHECK(copy->files.dest == "/dst/");

  i = only("ADD --checksum=sha256:abc --keep-git-dir=false --unpack https://x/y.tar /y");
  const AddInstruction* add = i.as<AddInstruction>();
  REQUIRE(add);
  CHECK(add->checksum == "sha256:abc");
  CHECK(add->keep_git_dir == false);
  CHECK(add->unpack == true);

  Dockerfile d = typed("FROM a\nCOPY <<one <<'two' /d/\n1 $X\none\n2\ntwo\n");
  copy = d.stages[0].instructions[0].as<CopyInstruction>();
  REQUIRE(copy);
  REQUIRE(copy->files.inline_sources.size() == 2);
  CHECK(copy->files.inline_sources[0].data == "1 $X\n");
  CHECK(copy->files.inline_sources[0].expand);
  CHECK_FALSE(copy->files.inline_sources[1].expand);
  CHECK(copy->files.sources.empty());

  CHECK(error_of("FROM a\nCOPY x\n") ==
        "COPY requires at least two arguments, but only one was provided. Destination could "
        "not be determined");
  CHECK(error_of("FROM a\nCOPY --chwon=1 a b\n") ==
        "unknown flag '--chwon' (did you mean '--chown'?)");
  CHECK(error_of("FROM a\nCOPY --link=maybe a b\n") ==
        "expecting boolean value for flag --link, not: maybe");
  CHECK(error_of("FROM a\nCOPY --from a b\n") == "missing a value on flag: --from");
  CHECK(error_of("FROM a\nADD --from=x a b\n") == "unknown flag '--from'");
}

TEST_CASE("ENV, LABEL and ARG keep their pairs", "[instructions]") {
  const Instruction env_i = only("ENV A=1 B=\"two words\"");
  const EnvInstruction* env = env_i.as<EnvInstruction>();
  REQUIRE(env);
  REQUIRE(env->vars.size() == 2);
  CHECK(env->vars[1].key == "B");
  CHECK(env->vars[1].value == "\"two words\"");
  CHECK(only("ENV A 1 2").as<EnvInstruction>()->vars[0].legacy_form);
  CHECK(only("LABEL a=b").as<LabelInstruction>()->labels[0].value == "b");
  const Instruction arg_i = only("ARG A B=2");
  const ArgInstruction* arg = arg_i.as<ArgInstruction>();
  REQUIRE(arg);
  CHECK_FALSE(arg->args[0].default_value);
  CHECK(arg->args[1].default_value == "2");
  CHECK(error_of("FROM a\nARG =x\n") == "ARG names can not be blank");
}

TEST_CASE("single-argument instructions check their count", "[instructions]") {
  CHECK(only("WORKDIR /app").as<WorkdirInstruction>()->path == "/app");
  CHECK(only("USER 1000:1000").as<UserInstruction>()->user == "1000:1000");
  CHECK(only("STOPSIGNAL SIGTERM").as<StopsignalInstruction>()->signal == "SIGTERM");
  CHECK(only("MAINTAINER me").as<MaintainerInstruction>()->maintainer == "me");
  CHECK(only("EXPOSE 8080/tcp 443").as<ExposeInstruction>()->ports ==
        std::vector<std::string>{"443", "8080/tcp"});
  CHECK(only("VOLUME [\"/a\", \"/b\"]").as<VolumeInstruction>()->volumes ==
        std::vector<std::string>{"/a", "/b"});
  CHECK(error_of("FROM a\nWORKDIR\n") == "WORKDIR requires exactly one argument");
  CHECK(error_of("FROM a\nEXPOSE\n") == "EXPOSE requires at least one argument");
}

TEST_CASE("CMD, ENTRYPOINT and SHELL", "[instructions]") {
  CHECK(only("CMD [\"a\", \"b\"]").as<CmdInstruction>()->command.args ==
        std::vector<std::string>{"a", "b"});
  CHECK(only("ENTRYPOINT []").as<EntrypointInstruction>()->command.args.empty());
  CHECK(only("SHELL [\"pwsh\", \"-c\"]").as<ShellInstruction>()->shell ==
        std::vector<std::string>{"pwsh", "-c"});
  CHECK(error_of("FROM a\nSHELL bash -c\n") ==
        "SHELL requires the arguments to be in JSON form (write it as SHELL [\"executable\", "
        "\"param1\"])");
}

TEST_CASE("HEALTHCHECK reads its flags and NONE", "[instructions]") {
  const Instruction hc_i = only("HEALTHCHECK --interval=30s --timeout=1m30s --start-period=500ms "
                                "--start-interval=2s --retries=3 CMD curl -f http://x/");
  const HealthcheckInstruction* hc = hc_i.as<HealthcheckInstruction>();
  REQUIRE(hc);
  CHECK(hc->test == std::vector<std::string>{"CMD-SHELL", "curl -f http://x/"});
  CHECK(hc->interval_ns == 30'000'000'000);
  CHECK(hc->timeout_ns == 90'000'000'000);
  CHECK(hc->start_period_ns == 500'000'000);
  CHECK(hc->start_interval_ns == 2'000'000'000);
  CHECK(hc->retries == 3);
  CHECK(only("HEALTHCHECK NONE").as<HealthcheckInstruction>()->test ==
        std::vector<std::string>{"NONE"});
  CHECK(only("HEALTHCHECK CMD [\"a\"]").as<HealthcheckInstruction>()->test ==
        std::vector<std::string>{"CMD", "a"});
  CHECK(error_of("FROM a\nHEALTHCHECK NONE x\n") == "HEALTHCHECK NONE takes no arguments");
  CHECK(error_of("FROM a\nHEALTHCHECK CONNECT x\n") ==
        "Unknown type \"CONNECT\" in HEALTHCHECK (try CMD)");
  CHECK(error_of("FROM a\nHEALTHCHECK --interval=1us CMD x\n") ==
        "Interval \"interval\" cannot be less than 1ms");
  CHECK(error_of("FROM a\nHEALTHCHECK --retries=-1 CMD x\n") ==
        "--retries cannot be negative (-1)");
}

TEST_CASE("ONBUILD stores its trigger and rejects chaining", "[instructions]") {
  CHECK(only("ONBUILD RUN make").as<OnbuildInstruction>()->expression == "RUN make");
  CHECK(error_of("FROM a\nONBUILD ONBUILD RUN x\n") ==
        "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  CHECK(error_of("FROM a\nONBUILD FROM x\n") == "FROM isn't allowed as an ONBUILD trigger");
}

TEST_CASE("unknown instructions get a suggestion and every error is reported", "[instructions]") {
  std::string text = "FROM a\nRUNN x\nCOPY --chwon=1 a b\nWORKDIR\n";
  Dockerfile d = typed(text);
  REQUIRE(d.diagnostics.size() == 3);
  CHECK(core::render(d.diagnostics[0], text) ==
        "Dockerfile:2:1: error: unknown instruction 'RUNN' (did you mean 'RUN'?)\n"
        "  RUNN x\n  ^~~~\n");
  CHECK(core::render(d.diagnostics[1], text) ==
        "Dockerfile:3:6: error: unknown flag '--chwon' (did you mean '--chown'?)\n"
        "  COPY --chwon=1 a b\n       ^~~~~~~~~\n");
  CHECK(d.diagnostics[2].location.begin.line == 4);
}

TEST_CASE("parse_duration follows Go's time.ParseDuration", "[instructions]") {
  CHECK(parse_duration("0") == 0);
  CHECK(parse_duration("1h2m3s") == 3723'000'000'000);
  CHECK(parse_duration("1.5s") == 1'500'000'000);
  CHECK(parse_duration("10") == std::nullopt);
  CHECK(parse_duration("5d") == std::nullopt);
  CHECK(parse_duration("") == std::nullopt);
}

TEST_CASE("to_json writes stages, global args and instruction fields", "[instructions]") {
  Dockerfile d = typed("ARG V=1\nARG W\nFROM a AS b\nRUN [\"x\", \"y\"]\n"
                       "COPY --from=b <<EOF /d\nbody\nEOF\nHEALTHCHECK NONE\n");
  const nlohmann::json j = to_json(d);
  CHECK(j["escape"] == "\\");
  CHECK(j["global_args"] ==
        nlohmann::json::parse(R"([{"key":"V","default":"1"},{"key":"W","default":null}])"));
  const auto& stage = j["stages"][0];
  CHECK(stage["name"] == "b");
  CHECK(stage["line"] == 3);
  const auto& run = stage["instructions"][0];
  CHECK(run["instruction"] == "RUN");
  CHECK(run["command"]["form"] == "exec");
  CHECK(run["command"]["args"] == nlohmann::json::parse(R"(["x","y"])"));
  const auto& copy = stage["instructions"][1];
  CHECK(copy["from"] == "b");
  CHECK(copy["heredocs"][0]["data"] == "body\n");
  CHECK(copy["end_line"] == 7);
  CHECK(stage["instructions"][2]["test"] == nlohmann::json::parse(R"(["NONE"])"));
}
