#pragma once

#include "builder/base_image.h"
#include "builder/build_graph.h"
#include "builder/context.h"
#include "builder/progress.h"
#include "builder/secrets.h"
#include "builder/step_runner.h"
#include "core/compression.h"
#include "core/error.h"
#include "core/oci_types.h"
#include "registry/image_store.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

namespace builder {

/// What `cbuild build` was asked to do, after flag parsing.
struct BuildOptions {
  std::string build_id;                       ///< names the last-build record for --explain
  std::string dockerfile_name = "Dockerfile"; ///< for locations in messages
  std::map<std::string, std::string> labels;  ///< --label, set on the final image
  core::Compression compression = core::Compression::gzip;
  std::optional<std::int64_t> source_date_epoch; ///< clamps every time in the image
  bool no_cache = false;
  bool explain = false;        ///< say why each step missed the cache
  bool quiet = false;          ///< no progress, no RUN output
  BuildSecrets secrets;        ///< --secret and --ssh: what RUN --mount=type=secret|ssh may use
  bool allow_insecure = false; ///< --allow security.insecure: RUN --security=insecure may run
  BaseImagePolicy base;        ///< FROM images: --pull, registry options
  /// --cache-from: brings the missing layers of a cache hit into the store;
  /// false when it cannot (the step then runs). Empty: such hits are misses.
  std::function<bool(const std::vector<core::Descriptor>&)> fetch_layers;
  ProgressMode progress = ProgressMode::plain; ///< --progress (quiet wins)
  size_t jobs = 1;                             ///< -j: stages built at once
  std::set<std::string> no_cache_stages;       ///< --no-cache-filter: stage indexes
  std::string network;                         ///< --network for RUN: "", none, host, default
};

/// The outcome of a build.
struct BuildResult {
  core::Descriptor manifest;
  core::Digest image_id; ///< the config digest
  size_t executed = 0;   ///< steps that ran (cache misses)
  size_t cached = 0;     ///< steps reused from the cache
};

/// A RUN that failed, or a COPY/ADD that could not read its sources: the
/// message already names the step and its Dockerfile line.
class StepFailure : public core::Error {
public:
  using core::Error::Error;
};

/// Runs a planned build: each needed stage in order, each step looked up in
/// the cache by its key first, executed on a miss (RUN through `runner`,
/// COPY/ADD and WORKDIR straight into a layer), and the target stage stored
/// as an image. Progress goes to `progress` (options.progress). With
/// options.jobs > 1, stages whose dependencies are built run in parallel
/// threads, sharing one mutex that a thread gives up only while its RUN
/// executes or its layer is written.
BuildResult execute_build(const registry::ImageStore& store, const dockerfile::Dockerfile& file,
                          const BuildGraph& graph, BuildContext& context, StepRunner& runner,
                          const BuildOptions& options, std::ostream& progress);

} // namespace builder
