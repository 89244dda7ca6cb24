#include "builder/executor.h"
#include "builder/step_runner.h"
#include "core/temp_dir.h"
#include "test_util.h"

#include <catch2/catch.hpp>

#include <regex>
#include <sstream>

namespace fs = std::filesystem;

namespace {

/// Stands in for the sandbox: records each command and writes a file named
/// after the step into the upper dir, as a real RUN would.
class FakeStepRunner : public builder::StepRunner {
public:
  builder::RunOutcome run(const builder::RunRequest& request) override {
    commands.push_back(request.argv.back());
    builder::test::write(request.upper_dir / ("ran-" + std::to_string(commands.size())),
                         request.argv.back());
    if (request.on_output) {
      request.on_output("some output\nlast line\n");
    }
    return {status, "exited with code " + std::to_string(status)};
  }
  std::vector<std::string> commands;
  int status = 0;
};

struct Fixture {
  core::TempDir dir;
  fs::path context_dir = dir.path() / "ctx";
  registry::ImageStore store{dir.path() / "store"};
  FakeStepRunner runner;
  std::ostringstream progress;
  std::optional<std::int64_t> epoch; ///< SOURCE_DATE_EPOCH of the builds

  Fixture() { builder::test::write(context_dir / "a.txt", "one"); }

  builder::BuildResult build(const std::string& text, const dockerfile::ArgInputs& args = {},
                             bool explain = false) {
    dockerfile::Dockerfile file = builder::test::typed(text);
    builder::BuildGraph graph = builder::plan_build(file, "", args);
    builder::BuildContext context(context_dir, {}, dir.path() / "stat.json");
    builder::BuildOptions options;
    options.build_id = "test";
    options.explain = explain;
    options.source_date_epoch = epoch;
    progress.str("");
    return builder::execute_build(store, file, graph, context, runner, options, progress);
  }
};

const std::string k_dockerfile = "FROM scratch\n"
                                 "ARG V=1\n"
                                 "COPY a.txt /a.txt\n"
                                 "RUN make $V\n"
                                 "ENV X=1\n"
                                 "CMD [\"/a\"]\n";

} // namespace

TEST_CASE("a build runs every step once, then hits the cache") {
  Fixture f;
  builder::BuildResult first = f.build(k_dockerfile);
  CHECK(first.executed == 5);
  CHECK(f.runner.commands == std::vector<std::string>{"make $V"});
  registry::ImageData image = f.store.read(first.manifest);
  CHECK(image.manifest.layers.size() == 2);
  REQUIRE(image.config.history.size() == 5);
  CHECK(image.config.history[0].created_by == "ARG V=1");
  CHECK(image.config.history[0].empty_layer);
  CHECK(image.config.history[2].created_by == "RUN |1 V=1 /bin/sh -c make $V # buildkit");
  CHECK_FALSE(image.config.history[2].empty_layer);
  CHECK(image.config.config.env == std::vector<std::string>{"X=1"});
  CHECK(image.config.config.cmd == std::vector<std::string>{"/a"});
  CHECK(f.progress.str().find("#4 [4/6] RUN make $V") != std::string::npos);
  CHECK(std::regex_search(f.progress.str(), std::regex("#4 [0-9.]+ some output\n")));

  builder::BuildResult second = f.build(k_dockerfile);
  CHECK(second.executed == 0);
  CHECK(second.cached == 5);
  CHECK(f.runner.commands.size() == 1);
  CHECK(second.image_id == first.image_id);

  SECTION("a changed context file misses its COPY and what follows") {
    builder::test::write(f.context_dir / "a.txt", "two");
    builder::BuildResult third = f.build(k_dockerfile, {}, true);
    CHECK(third.cached == 1);
    CHECK(third.executed == 4);
    CHECK(f.progress.str().find("#3 cache miss: context files changed: a.txt (changed)") !=
          std::string::npos);
    CHECK(f.progress.str().find("#4 cache miss: an earlier step changed") != std::string::npos);
  }
  SECTION("a build arg misses from its ARG on") {
    dockerfile::ArgInputs args;
    args.build_args.set("V", "2");
    builder::BuildResult third = f.build(k_dockerfile, args, true);
    CHECK(third.executed == 5);
    CHECK(f.progress.str().find("cache miss: build arg V changed '1' -> '2'") != std::string::npos);
  }
}

TEST_CASE("a failing RUN names the step, the line and the last output") {
  Fixture f;
  f.runner.status = 3;
  try {
    f.build(k_dockerfile);
    FAIL("the build should fail");
  } catch (const builder::StepFailure& e) {
    std::string message = e.what();
    CHECK(message.find("exited with code 3") != std::string::npos);
    CHECK(message.find("Dockerfile:4: RUN make $V") != std::string::npos);
    CHECK(message.find("last line") != std::string::npos);
  }
}

TEST_CASE("a missing COPY source is named, and .dockerignore is blamed when it excluded it") {
  Fixture f;
  REQUIRE_THROWS_WITH(f.build("FROM scratch\nCOPY nope.txt /\n"),
                      Catch::Contains("'nope.txt' not found in the build context"));
}

TEST_CASE("multi-stage: COPY --from copies from an earlier stage") {
  Fixture f;
  builder::BuildResult result = f.build("FROM scratch AS build\n"
                                        "RUN make\n"
                                        "FROM scratch\n"
                                        "COPY --from=build /ran-1 /out/made\n");
  registry::ImageData image = f.store.read(result.manifest);
  CHECK(image.manifest.layers.size() == 1);
  CHECK(image.config.history.size() == 1);
  CHECK(f.runner.commands.size() == 1);
}

TEST_CASE("ONBUILD triggers of a base image run right after FROM, then are dropped") {
  Fixture f;
  builder::BuildResult parent = f.build("FROM scratch\n"
                                        "ONBUILD COPY a.txt /from-child\n"
                                        "ONBUILD RUN make trigger\n");
  CHECK(f.runner.commands.empty());
  CHECK(f.store.read(parent.manifest).config.config.on_build ==
        std::vector<std::string>{"COPY a.txt /from-child", "RUN make trigger"});
  f.store.tag(parent.manifest, registry::parse_reference("parent:1"));

  builder::BuildResult child = f.build("FROM parent:1\nRUN make child\n");
  CHECK(f.runner.commands == std::vector<std::string>{"make trigger", "make child"});
  registry::ImageData image = f.store.read(child.manifest);
  CHECK(image.config.config.on_build.empty());
  CHECK(image.manifest.layers.size() == 3); // the trigger's COPY and RUN, then the child's RUN
  CHECK(f.progress.str().find("[2/4] ONBUILD COPY a.txt /from-child") != std::string::npos);
  CHECK(f.progress.str().find("[3/4] ONBUILD RUN make trigger") != std::string::npos);
}

TEST_CASE("ONBUILD: a refused trigger stored in a base image is named") {
  Fixture f;
  core::ImageConfig config;
  config.config.on_build = {"RUN ok", "FROM other"};
  f.store.tag(f.store.put_image(config, {}), registry::parse_reference("odd:1"));
  REQUIRE_THROWS_WITH(f.build("FROM odd:1\n"),
                      "FROM odd:1: ONBUILD trigger 2 'FROM other': FROM isn't allowed as an "
                      "ONBUILD trigger");
}

TEST_CASE("SOURCE_DATE_EPOCH: same digest from clean stores, another epoch is not a cache hit") {
  const std::string text = "FROM scratch\nCOPY a.txt /a.txt\nRUN make\nCMD [\"/a\"]\n";
  Fixture one;
  Fixture two;
  one.epoch = two.epoch = 1700000000;
  builder::BuildResult a = one.build(text);
  builder::BuildResult b = two.build(text);
  CHECK(a.manifest.digest == b.manifest.digest);
  CHECK(one.store.read(a.manifest).config.created == "2023-11-14T22:13:20Z");

  one.epoch = 1600000000;
  builder::BuildResult c = one.build(text, {}, true);
  CHECK(c.executed == 3);
  CHECK(c.manifest.digest != a.manifest.digest);
  CHECK(
      one.progress.str().find("cache miss: SOURCE_DATE_EPOCH changed: 1700000000 -> 1600000000") !=
      std::string::npos);
}
