#include "builder/executor.h"
#include "builder/step_runner.h"
#include "core/temp_dir.h"
#include "test_util.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;

namespace {

/// A thread-safe stand-in for the sandbox that takes a while per command
/// and records how many commands ran at once.
class SlowRunner : public builder::StepRunner {
public:
  builder::RunOutcome run(const builder::RunRequest& request) override {
    int now = ++m_running;
    int seen = m_max.load();
    while (now > seen && !m_max.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    int count = 0;
    {
      std::lock_guard lock(m_mutex);
      commands.push_back(request.argv.back());
      count = static_cast<int>(std::count(commands.begin(), commands.end(), commands.back()));
    }
    // each run of a command writes other content, as `date` would
    builder::test::write(request.upper_dir / request.argv.back(),
                         request.argv.back() + " run " + std::to_string(count));
    if (request.on_output) {
      request.on_output("output of " + request.argv.back() + "\n");
    }
    --m_running;
    return {request.argv.back() == "fail" ? 1 : 0, "exited"};
  }
  int max_parallel() const { return m_max.load(); }
  std::vector<std::string> commands;

private:
  std::atomic<int> m_running{0};
  std::atomic<int> m_max{0};
  std::mutex m_mutex;
};

const std::string k_three_stages = "FROM scratch AS a\n"
                                   "RUN one\n"
                                   "FROM scratch AS b\n"
                                   "RUN two\n"
                                   "FROM scratch\n"
                                   "COPY --from=a /one /one\n"
                                   "COPY --from=b /two /two\n";

struct Build {
  core::TempDir dir;
  registry::ImageStore store{dir.path() / "store"};
  SlowRunner runner;
  std::ostringstream progress;

  builder::BuildResult run(const std::string& text, size_t jobs,
                           std::set<std::string> no_cache = {}) {
    fs::create_directories(dir.path() / "ctx");
    dockerfile::Dockerfile file = builder::test::typed(text);
    builder::BuildGraph graph = builder::plan_build(file, "", {});
    builder::BuildContext context(dir.path() / "ctx", {}, dir.path() / "stat.json");
    builder::BuildOptions options;
    options.build_id = "test";
    options.jobs = jobs;
    options.source_date_epoch = 0;
    options.no_cache_stages = std::move(no_cache);
    progress.str("");
    return builder::execute_build(store, file, graph, context, runner, options, progress);
  }
};

} // namespace

TEST_CASE("build -j: independent stages run at once, with the same image as one at a time") {
  Build parallel;
  builder::BuildResult a = parallel.run(k_three_stages, 2);
  CHECK(parallel.runner.max_parallel() == 2);
  Build serial;
  builder::BuildResult b = serial.run(k_three_stages, 1);
  CHECK(serial.runner.max_parallel() == 1);
  CHECK(a.manifest.digest == b.manifest.digest);

  // plain progress is in build order whatever the timing
  std::string text = parallel.progress.str();
  size_t one = text.find("output of one");
  size_t two = text.find("output of two");
  size_t last = text.find("COPY --from=a");
  REQUIRE(one != std::string::npos);
  REQUIRE(two != std::string::npos);
  REQUIRE(last != std::string::npos);
  CHECK(one < text.find("#3 [b 1/2] FROM scratch"));
  CHECK(two < last);
  CHECK(text.find("#2 [a 2/2] RUN one") < text.find("#2 DONE"));
}

TEST_CASE("build -j: a failing stage fails the build and the others stop") {
  Build build;
  CHECK_THROWS_AS(build.run("FROM scratch AS a\nRUN fail\nFROM scratch AS b\nRUN two\n"
                            "FROM scratch\nCOPY --from=a /x /x\nCOPY --from=b /two /two\n",
                            2),
                  builder::StepFailure);
}

TEST_CASE("build --no-cache-filter runs the named stage again, and what its new result feeds") {
  Build build;
  build.run(k_three_stages, 1);
  CHECK(build.runner.commands.size() == 2);
  builder::BuildResult again = build.run(k_three_stages, 1, {"1"});
  CHECK(build.runner.commands.size() == 3);
  CHECK(build.runner.commands.back() == "two");
  // b's RUN, then the COPY --from=b whose source changed; COPY --from=a hits
  CHECK(again.executed == 2);
  CHECK(again.cached == 2);
  registry::ImageData image = build.store.read(again.manifest);
  CHECK(image.manifest.layers.size() == 2);
}
