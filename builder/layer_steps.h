#pragma once

#include "builder/cache_index.h"
#include "builder/config_steps.h"
#include "builder/context.h"
#include "builder/copy_step.h"
#include "builder/executor.h"
#include "builder/run_mounts.h"
#include "builder/snapshots.h"
#include "builder/step_runner.h"
#include "core/layer_writer.h"
#include "core/temp_dir.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>

namespace builder {

/// A stage while it is being built.
struct StageState {
  core::ImageConfig config;               ///< the image config so far (history included)
  std::vector<core::Descriptor> layers;   ///< its layers, base first (match rootfs.diff_ids)
  core::Digest key = core::sha256_of(""); ///< cache key of the last step
  StageVars vars;                         ///< ARGs in scope and CMD bookkeeping
};

enum class StepKind {
  config, ///< changes only the config (ENV, CMD, ARG, …)
  layer,  ///< RUN, COPY, ADD, WORKDIR: may add a layer
};

/// What a step needs, worked out before the cache lookup (its ingredients
/// are added to the cache key as a side effect of preparing it).
struct PreparedStep {
  StepKind kind = StepKind::config;
  std::string history;                       ///< created_by text for a layer step
  std::vector<std::string> argv;             ///< RUN
  std::vector<std::string> env;              ///< RUN
  bool network_none = false;                 ///< RUN --network=none
  bool insecure = false;                     ///< RUN --security=insecure (allowed)
  std::vector<PreparedMount> mounts;         ///< RUN --mount
  CopyPlan copy;                             ///< COPY/ADD
  std::optional<std::string> from;           ///< COPY --from: a stage key or image name
  std::optional<size_t> from_stage;          ///< COPY --from a stage
  std::vector<core::Descriptor> from_layers; ///< the --from stage's or image's layers
  std::vector<core::Digest> from_diff_ids;   ///< and their diff_ids
  std::vector<std::string> selected;         ///< COPY/ADD sources from the context
  std::optional<core::Digest> link_key;      ///< COPY --link: the layer's own key (no parent)
  nlohmann::json file_digests;               ///< COPY/ADD: context path -> digest (the key's "files")
  /// The same step's result in the last build, when only its files differ:
  /// the snapshot it wrote and its file digests. Unchanged files are linked
  /// from there instead of copied (offer_previous()).
  std::optional<std::filesystem::path> previous_tree;
  nlohmann::json previous_digests;
};

/// A layer a step wrote into the store.
struct NewLayer {
  core::Descriptor descriptor;
  core::Digest diff_id;
};

/// Prepares and executes the steps that can write layers.
class LayerSteps {
public:
  LayerSteps(const registry::ImageStore& store, const dockerfile::Dockerfile& file,
             const Snapshots& snapshots, BuildContext& context, StepRunner& runner,
             const BuildOptions& options, std::ostream& progress);
  ~LayerSteps();

  /// Classifies `ins` (expanded), and adds what its result depends on to
  /// `ingredients` (args for RUN, file digests for COPY, the --from source).
  PreparedStep prepare(const dockerfile::Instruction& ins, const StageState& state,
                       const std::map<size_t, StageState>& finished, nlohmann::json& ingredients);

  /// Runs a layer step; nullopt when it made no layer (WORKDIR that exists).
  /// Throws StepFailure for a failing RUN.
  std::optional<NewLayer> execute(const dockerfile::Instruction& ins, const PreparedStep& step,
                                  StageState& state);

  /// `before` is what this step position produced in the last build. When
  /// `step` is a COPY/ADD from the context whose ingredients differ from it
  /// only in file digests and its snapshot is still there, remembers that
  /// snapshot for execute(), which then links the unchanged files.
  void offer_previous(PreparedStep& step, const nlohmann::json& ingredients,
                      const CacheRecord& before) const;

  /// Where the next RUN's output goes (the build's progress view).
  void set_output(std::function<void(std::string_view)> sink) { m_output = std::move(sink); }

  /// With parallel stages: the build's mutex, which the caller holds and
  /// which is released while a RUN executes and while a layer is written.
  void set_parallel_mutex(std::mutex* mutex) { m_parallel = mutex; }

private:
  std::vector<std::filesystem::path> lower_dirs(const StageState& state) const;
  std::vector<std::filesystem::path> snapshot_dirs(const std::vector<core::Descriptor>& layers,
                                                   const std::vector<core::Digest>& diff_ids) const;
  std::optional<PathInfo> lookup(const std::vector<std::filesystem::path>& lowers,
                                 const std::string& path) const;
  std::string resolve_dest(const std::vector<std::filesystem::path>& lowers,
                           const std::string& dest) const;
  NewLayer write_layer(const std::function<void(core::LayerWriter&)>& fill) const;
  std::optional<NewLayer> run(const dockerfile::Instruction& ins, const PreparedStep& step,
                              const StageState& state);
  std::optional<NewLayer> copy(const PreparedStep& step, const StageState& state);
  std::optional<NewLayer> workdir(StageState& state, const std::string& path);
  std::optional<NewLayer> find_link_layer(const core::Digest& key) const;
  const std::filesystem::path& materialize(const std::string& key,
                                           const std::vector<core::Descriptor>& layers,
                                           const std::vector<core::Digest>& diff_ids,
                                           const std::vector<std::string>& paths);
  void prepare_copy(const dockerfile::Instruction& ins, const StageState& state,
                    const std::map<size_t, StageState>& finished, PreparedStep& step,
                    nlohmann::json& ingredients);
  void prepare_mounts(const dockerfile::Instruction& ins, const StageState& state,
                      const std::map<size_t, StageState>& finished, PreparedStep& step,
                      nlohmann::json& ingredients);
  const std::filesystem::path& context_tree();
  void resolve_chown(const std::string& chown, const StageState& state, CopyPlan& plan);

  const registry::ImageStore& m_store;
  const dockerfile::Dockerfile& m_file;
  const Snapshots& m_snapshots;
  BuildContext& m_context;
  StepRunner& m_runner;
  const BuildOptions& m_options;
  std::ostream& m_progress;
  std::function<void(std::string_view)> m_output;
  std::mutex* m_parallel = nullptr;
  std::map<std::string, core::TempDir> m_materialized; ///< --from sources, by key
  CacheIndex m_link_cache;                             ///< --link layers, by their own key
  RemoteFiles m_remote;                                ///< ADD's downloads
  std::mutex m_sources_mutex; ///< guards m_materialized (RUN mounts are set up unlocked)
};

} // namespace builder
