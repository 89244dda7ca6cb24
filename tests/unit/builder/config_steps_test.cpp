#include "builder/config_steps.h"
#include "test_util.h"

#include <catch2/catch.hpp>

namespace {

std::string apply(const std::string& line, core::ImageConfig& config, builder::StageVars& vars) {
  dockerfile::Dockerfile file = builder::test::typed("FROM scratch\n" + line + "\n");
  return builder::apply_config_step(file.stages[0].instructions[0], config, vars);
}

} // namespace

TEST_CASE("config steps follow Docker's rules") {
  core::ImageConfig config;
  builder::StageVars vars;
  SECTION("ENV replaces a key in place and records the history text") {
    config.config.env = {"PATH=/bin", "A=1"};
    CHECK(apply("ENV A=2 B=3", config, vars) == "ENV A=2 B=3");
    CHECK(config.config.env == std::vector<std::string>{"PATH=/bin", "A=2", "B=3"});
  }
  SECTION("ENTRYPOINT drops an inherited CMD but keeps one set in the stage") {
    config.config.cmd = {"/bin/sh"};
    apply("ENTRYPOINT [\"/app\"]", config, vars);
    CHECK(config.config.cmd.empty());
    apply("CMD [\"--help\"]", config, vars);
    apply("ENTRYPOINT [\"/app2\"]", config, vars);
    CHECK(config.config.cmd == std::vector<std::string>{"--help"});
    CHECK(config.config.entrypoint == std::vector<std::string>{"/app2"});
  }
  SECTION("shell form goes through SHELL") {
    apply("SHELL [\"/bin/bash\", \"-c\"]", config, vars);
    CHECK(apply("CMD echo hi", config, vars) == "CMD [\"/bin/bash\" \"-c\" \"echo hi\"]");
  }
  SECTION("EXPOSE adds /tcp and keeps ports sorted") {
    apply("EXPOSE 8080 53/udp", config, vars);
    CHECK(config.config.exposed_ports == std::vector<std::string>{"53/udp", "8080/tcp"});
  }
  SECTION("LABEL, USER, STOPSIGNAL, MAINTAINER, VOLUME") {
    apply("LABEL a=b", config, vars);
    apply("USER app", config, vars);
    apply("STOPSIGNAL SIGTERM", config, vars);
    apply("MAINTAINER me", config, vars);
    apply("VOLUME /data", config, vars);
    CHECK(config.config.labels.at("a") == "b");
    CHECK(config.config.user == "app");
    CHECK(config.config.stop_signal == "SIGTERM");
    CHECK(config.author == "me");
    CHECK(config.config.volumes == std::vector<std::string>{"/data"});
  }
}

TEST_CASE("WORKDIR joins relative paths and RUN sees ARGs under ENV") {
  core::ImageConfig config;
  CHECK(builder::apply_workdir("/app", config) == "/app");
  CHECK(builder::apply_workdir("src/../lib", config) == "/app/lib");
  builder::StageVars vars;
  vars.args.set("A", "arg");
  vars.args.set("B", "arg");
  config.config.env = {"B=env"};
  std::vector<std::string> env = builder::run_env(config, vars);
  CHECK(env == std::vector<std::string>{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
                                        "/sbin:/bin",
                                        "B=env", "A=arg"});
  CHECK(builder::run_history({"/bin/sh", "-c", "make"}, vars) ==
        "RUN |2 A=arg B=arg /bin/sh -c make # buildkit");
}
