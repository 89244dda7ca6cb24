#include "builder/build_graph.h"
#include "core/error.h"
#include "test_util.h"

#include <catch2/catch.hpp>

using builder::BaseKind;

TEST_CASE("plan_build resolves bases and builds only what the target needs") {
  dockerfile::Dockerfile file = builder::test::typed("ARG BASE=busybox:local\n"
                                                     "FROM $BASE AS deps\n"
                                                     "RUN true\n"
                                                     "FROM scratch AS unused\n"
                                                     "FROM deps AS build\n"
                                                     "RUN make\n"
                                                     "FROM scratch\n"
                                                     "COPY --from=build /out /out\n");
  SECTION("the last stage by default") {
    builder::BuildGraph graph = builder::plan_build(file, "", {});
    CHECK(graph.target == 3);
    CHECK(graph.order == std::vector<size_t>{0, 2, 3});
    CHECK(graph.stages[0].base.kind == BaseKind::image);
    CHECK(graph.stages[0].base.name == "busybox:local");
    CHECK(graph.stages[2].base.kind == BaseKind::stage);
    CHECK(graph.stages[2].base.stage_index == 0);
    CHECK(graph.stages[3].base.kind == BaseKind::scratch);
    CHECK(graph.stages[3].dependencies == std::vector<size_t>{2});
  }
  SECTION("--target picks a stage by name, case-insensitively") {
    builder::BuildGraph graph = builder::plan_build(file, "DEPS", {});
    CHECK(graph.order == std::vector<size_t>{0});
  }
  SECTION("a build arg changes the base") {
    dockerfile::ArgInputs inputs;
    inputs.build_args.set("BASE", "alpine");
    builder::BuildGraph graph = builder::plan_build(file, "deps", inputs);
    CHECK(graph.stages[0].base.name == "alpine");
  }
  SECTION("an unknown target names the stages") {
    REQUIRE_THROWS_AS(builder::plan_build(file, "nope", {}), core::InputError);
    try {
      builder::plan_build(file, "nope", {});
    } catch (const core::InputError& e) {
      CHECK(std::string(e.what()).find("deps, unused, build") != std::string::npos);
    }
  }
}

TEST_CASE("find_stage accepts names and indexes of earlier stages only") {
  dockerfile::Dockerfile file =
      builder::test::typed("FROM scratch AS a\nFROM scratch AS b\nFROM scratch\n");
  CHECK(builder::find_stage(file, "a", 2) == 0u);
  CHECK(builder::find_stage(file, "1", 2) == 1u);
  CHECK_FALSE(builder::find_stage(file, "b", 1).has_value());
  CHECK_FALSE(builder::find_stage(file, "busybox", 3).has_value());
}
