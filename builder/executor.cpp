#include "builder/executor.h"

#include "builder/cache_index.h"
#include "builder/config_steps.h"
#include "builder/layer_steps.h"
#include "builder/onbuild.h"
#include "builder/parallel_stages.h"
#include "builder/snapshots.h"
#include "core/error.h"
#include "core/time_util.h"
#include "dockerfile-parser/expand.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace builder {

namespace fs = std::filesystem;

namespace {

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// One build: the stages' states and the shared services.
class Build {
public:
  Build(const registry::ImageStore& store, const dockerfile::Dockerfile& file,
        const BuildGraph& graph, BuildContext& context, StepRunner& runner,
        const BuildOptions& options, std::ostream& progress)
      : m_store(store), m_file(file), m_graph(graph), m_options(options), m_progress(progress),
        m_snapshots(store), m_cache(store.root() / "cache"),
        m_layers(store, file, m_snapshots, context, runner, options, progress),
        m_lex({.escape = static_cast<char32_t>(file.escape)}),
        m_last(m_cache.last_build(options.build_id)),
        m_view(options.quiet ? ProgressMode::quiet : options.progress, progress,
               graph.order.size()) {}

  BuildResult run() {
    size_t number = 1;
    for (size_t slot = 0; slot < m_graph.order.size(); ++slot) {
      const StagePlan& stage = m_graph.stages[m_graph.order[slot]];
      m_slot[stage.index] = slot;
      m_first_number[stage.index] = number;
      m_trigger_count[stage.index] = expected_triggers(stage);
      number += stage.source->instructions.size() + m_trigger_count[stage.index] + 1;
    }
    if (m_options.jobs > 1 && m_graph.order.size() > 1) {
      m_layers.set_parallel_mutex(&m_mutex);
      run_stages_in_parallel(m_graph, m_options.jobs, m_mutex, m_failed, m_view,
                             [this](const StagePlan& stage) { build_stage(stage); });
    } else {
      for (size_t index : m_graph.order) {
        build_stage(m_graph.stages[index]);
        m_view.finish_slot(m_slot.at(index));
      }
    }
    if (m_keys != m_last) {
      m_cache.save_build(m_options.build_id, m_keys); // a no-op rebuild writes nothing
    }
    return finish(m_states.at(m_graph.target));
  }

private:
  /// How many ONBUILD triggers the stage's base brings, known before any
  /// stage runs so that step numbers can be handed out up front: an earlier
  /// stage's ONBUILD lines, or an image's OnBuild list.
  size_t expected_triggers(const StagePlan& stage) const {
    if (stage.base.kind == BaseKind::stage) {
      const StagePlan& base = m_graph.stages[stage.base.stage_index];
      return static_cast<size_t>(std::count_if(base.source->instructions.begin(),
                                               base.source->instructions.end(),
                                               [](const dockerfile::Instruction& ins) {
                                                 return ins.as<dockerfile::OnbuildInstruction>();
                                               }));
    }
    if (stage.base.kind == BaseKind::image) {
      // Not in the store yet (start_stage pulls it, or says so): counted then.
      std::optional<core::Descriptor> found = m_store.find(stage.base.name);
      return found ? m_store.read(*found).config.config.on_build.size() : 0;
    }
    return 0;
  }

  std::string stage_label(const StagePlan& stage, size_t step) const {
    size_t total = stage.source->instructions.size() + m_trigger_count.at(stage.index) + 1;
    std::string where = std::to_string(step + 1) + "/" + std::to_string(total);
    if (m_file.stages.size() == 1) {
      return "[" + where + "]";
    }
    std::string name = stage.name.empty() ? "stage-" + std::to_string(stage.index) : stage.name;
    return "[" + name + " " + where + "]";
  }

  size_t number(const StagePlan& stage, size_t step) const {
    return m_first_number.at(stage.index) + step;
  }

  void announce(const StagePlan& stage, size_t step, const std::string& text) {
    m_view.start(m_slot.at(stage.index), number(stage, step), stage_label(stage, step), text);
  }

  void say(const StagePlan& stage, size_t step, const std::string& text) {
    m_view.note(m_slot.at(stage.index), number(stage, step), text);
  }

  bool no_cache(const StagePlan& stage) const {
    if (m_options.no_cache) {
      return true;
    }
    return m_options.no_cache_stages.count(std::to_string(stage.index)) > 0;
  }

  void build_stage(const StagePlan& stage) {
    std::vector<dockerfile::Instruction> triggers;
    StageState state = start_stage(stage, triggers);
    size_t position = 0;
    for (dockerfile::Instruction& trigger : triggers) {
      // Failures point at the FROM that brought the trigger in.
      trigger.start_line = trigger.end_line = stage.source->start_line;
      run_step(stage, position++, trigger, "ONBUILD ", state);
    }
    for (const dockerfile::Instruction& ins : stage.source->instructions) {
      run_step(stage, position++, ins, "", state);
    }
    m_states[stage.index] = std::move(state);
  }

  /// FROM: the base's config and layers; `triggers` gets its ONBUILD triggers.
  StageState start_stage(const StagePlan& stage, std::vector<dockerfile::Instruction>& triggers) {
    StageState state;
    nlohmann::json ingredients = {{"instruction", "FROM"}};
    if (stage.base.kind == BaseKind::stage) {
      const StageState& base = m_states.at(stage.base.stage_index);
      state.config = base.config;
      state.layers = base.layers;
      ingredients["base"] = "stage " + base.key.str();
      ingredients["base_layers"] = layer_digests(base.layers);
    } else if (stage.base.kind == BaseKind::image) {
      registry::ImageData image = load_image(m_store, stage.base.name, m_options.base);
      state.config = image.config;
      state.layers = image.manifest.layers;
      ingredients["base"] = stage.base.name + "@" + image.manifest_descriptor.digest.str();
    } else {
      core::Platform platform = core::host_platform();
      state.config.architecture = platform.architecture;
      state.config.os = platform.os;
      state.config.variant = platform.variant;
      ingredients["base"] = "scratch";
    }
    if (m_options.source_date_epoch) {
      ingredients["epoch"] = *m_options.source_date_epoch; // every later key chains from here
    }
    triggers = parse_onbuild_triggers(state.config.config.on_build, stage.base.name);
    m_trigger_count.at(stage.index) = triggers.size(); // an image pulled meanwhile may differ
    announce(stage, 0, "FROM " + stage.base.name);
    state.config.config.on_build.clear();
    state.key = step_key(ingredients);
    std::string position = std::to_string(stage.index) + "/0";
    bool same = m_last.value(position, std::string()) == state.key.str();
    remember(stage, 0, state.key, ingredients, same || !m_last.contains(position));
    if (!m_cache.find(state.key)) { // a no-op rebuild writes nothing
      m_cache.put({state.key, ingredients, core::serialize(state.config), state.layers});
    }
    m_view.done(m_slot.at(stage.index), number(stage, 0));
    return state;
  }

  void remember(const StagePlan& stage, size_t step, const core::Digest& key,
                const nlohmann::json& ingredients, bool hit) {
    std::string position = std::to_string(stage.index) + "/" + std::to_string(step);
    if (!hit && m_options.explain) {
      explain(stage, step, position, ingredients);
    }
    m_keys[position] = key.str();
  }

  void explain(const StagePlan& stage, size_t step, const std::string& position,
               const nlohmann::json& ingredients) {
    auto say = [&](const std::string& text) { this->say(stage, step, text); };
    if (m_options.no_cache) {
      say("cache miss: --no-cache was given");
      return;
    }
    if (no_cache(stage)) {
      say("cache miss: --no-cache-filter names this stage");
      return;
    }
    if (!m_last.contains(position)) {
      say("cache miss: no earlier build of this step");
      return;
    }
    auto key = core::Digest::parse(m_last[position].get<std::string>());
    std::optional<CacheRecord> before = key ? m_cache.find(*key) : std::nullopt;
    if (!before) {
      say("cache miss: the earlier result of this step is no longer in the cache");
      return;
    }
    std::vector<std::string> reasons = explain_difference(ingredients, before->ingredients);
    if (reasons.empty()) {
      reasons.push_back("the cached result's layers are gone from the store");
    }
    for (const std::string& reason : reasons) {
      say("cache miss: " + reason);
    }
  }

  void run_step(const StagePlan& stage, size_t index, dockerfile::Instruction ins,
                const std::string& label, StageState& state) {
    if (m_failed) {
      throw core::Error("cancelled: another stage failed");
    }
    announce(stage, index + 1, label + ins.source);
    nlohmann::json ingredients = {{"parent", state.key.str()}, {"instruction", ins.source}};
    if (const auto* arg = ins.as<dockerfile::ArgInstruction>()) {
      declare_args(*arg, state, ingredients);
    } else {
      std::string error =
          dockerfile::expand_instruction(ins, expansion_env(state.config, state.vars), m_lex);
      if (!error.empty()) {
        throw core::InputError(m_options.dockerfile_name + ":" + std::to_string(ins.start_line) +
                               ": " + error);
      }
    }
    PreparedStep prepared = m_layers.prepare(ins, state, m_states, ingredients);
    core::Digest key = step_key(ingredients);
    std::optional<CacheRecord> hit = no_cache(stage) ? std::nullopt : lookup(key);
    remember(stage, index + 1, key, ingredients, hit.has_value());
    if (hit) {
      state.config = core::parse_image_config(hit->config, "cached config");
      state.layers = hit->layers;
      apply_vars_only(ins, state);
      state.key = key;
      ++m_cached;
      m_view.cached(m_slot.at(stage.index), number(stage, index + 1));
      return;
    }
    if (prepared.kind == StepKind::layer) {
      std::string position = std::to_string(stage.index) + "/" + std::to_string(index + 1);
      if (std::optional<CacheRecord> before = previous_record(position)) {
        m_layers.offer_previous(prepared, ingredients, *before);
      }
    }
    size_t slot = m_slot.at(stage.index);
    size_t step = number(stage, index + 1);
    m_layers.set_output(
        [this, slot, step](std::string_view data) { m_view.output(slot, step, data); });
    try {
      execute(ins, prepared, state);
    } catch (const StepFailure&) {
      m_view.failed(slot, step, "failed");
      throw;
    }
    state.key = key;
    m_cache.put({key, ingredients, core::serialize(state.config), state.layers});
    ++m_executed;
    m_view.done(slot, step);
  }

  /// What step `position` ("stage/step") produced in the last build of
  /// this Dockerfile, if its record is still in the cache.
  std::optional<CacheRecord> previous_record(const std::string& position) const {
    if (!m_last.contains(position) || !m_last[position].is_string()) {
      return std::nullopt;
    }
    std::optional<core::Digest> key = core::Digest::parse(m_last[position].get<std::string>());
    return key ? m_cache.find(*key) : std::nullopt;
  }

  /// On a cache hit, the parts of a step that live outside the config.
  void apply_vars_only(const dockerfile::Instruction& ins, StageState& state) {
    if (ins.as<dockerfile::CmdInstruction>()) {
      state.vars.cmd_set = true;
    }
  }

  void declare_args(const dockerfile::ArgInstruction& arg, StageState& state,
                    nlohmann::json& ingredients) {
    dockerfile::Env env = expansion_env(state.config, state.vars);
    std::string error = dockerfile::declare_stage_args(
        arg, m_graph.arg_inputs, m_graph.global_scope, env, state.vars.args, m_lex);
    if (!error.empty()) {
      throw core::InputError("ARG: " + error);
    }
    nlohmann::json values = nlohmann::json::object();
    for (const dockerfile::ArgDefinition& def : arg.args) {
      auto value = state.vars.args.get(def.key);
      values[def.key] = value ? nlohmann::json(std::string(*value)) : nlohmann::json(nullptr);
    }
    ingredients["args"] = values;
  }

  std::optional<CacheRecord> lookup(const core::Digest& key) const {
    std::optional<CacheRecord> record = m_cache.find(key);
    if (!record) {
      return std::nullopt;
    }
    std::vector<core::Descriptor> missing;
    for (const core::Descriptor& layer : record->layers) {
      if (!m_store.blobs().has(layer.digest)) {
        missing.push_back(layer);
      }
    }
    // Pruned since, or a record imported with --cache-from whose layers are
    // still in the registry: fetch them, else run the step again.
    if (!missing.empty() && !(m_options.fetch_layers && m_options.fetch_layers(missing))) {
      return std::nullopt;
    }
    m_cache.mark_used(key);
    return record;
  }

  std::string history_time() const {
    return core::format_rfc3339(m_options.source_date_epoch.value_or(now_seconds()));
  }

  void execute(const dockerfile::Instruction& ins, const PreparedStep& prepared,
               StageState& state) {
    core::HistoryEntry history;
    history.created = history_time();
    history.comment = "buildkit.dockerfile.v0";
    if (const auto* arg = ins.as<dockerfile::ArgInstruction>()) {
      history.created_by = "ARG";
      for (const dockerfile::ArgDefinition& def : arg->args) {
        auto value = state.vars.args.get(def.key);
        history.created_by += " " + def.key + (value ? "=" + std::string(*value) : "");
      }
      history.empty_layer = true;
    } else if (prepared.kind == StepKind::config) {
      history.created_by = apply_config_step(ins, state.config, state.vars);
      history.empty_layer = true;
    } else {
      std::optional<NewLayer> layer = m_layers.execute(ins, prepared, state);
      history.created_by = prepared.history;
      if (layer) {
        state.layers.push_back(layer->descriptor);
        state.config.rootfs.diff_ids.push_back(layer->diff_id);
      } else {
        history.empty_layer = true;
      }
    }
    state.config.history.push_back(history);
    state.config.created = history.created;
  }

  BuildResult finish(StageState& state) {
    for (const auto& [key, value] : m_options.labels) {
      state.config.config.labels[key] = value;
    }
    if (m_options.source_date_epoch) {
      state.config.created = core::format_rfc3339(*m_options.source_date_epoch);
    }
    core::Descriptor manifest = m_store.put_image(state.config, state.layers);
    core::Digest id = m_store.read(manifest).id();
    return {manifest, id, m_executed, m_cached};
  }

  const registry::ImageStore& m_store;
  const dockerfile::Dockerfile& m_file;
  const BuildGraph& m_graph;
  const BuildOptions& m_options;
  std::ostream& m_progress;
  Snapshots m_snapshots;
  CacheIndex m_cache;
  LayerSteps m_layers;
  dockerfile::ShellLex m_lex;
  nlohmann::json m_last;
  nlohmann::json m_keys = nlohmann::json::object();
  std::map<size_t, StageState> m_states;
  std::map<size_t, size_t> m_trigger_count; ///< stage index -> ONBUILD triggers of its base
  Progress m_view;
  std::mutex m_mutex;                      ///< parallel stages: held except in slow work
  bool m_failed = false;                   ///< parallel stages: a stage failed (guarded by m_mutex)
  std::map<size_t, size_t> m_slot;         ///< stage index -> position in the build order
  std::map<size_t, size_t> m_first_number; ///< stage index -> number of its FROM step
  size_t m_executed = 0;
  size_t m_cached = 0;
};

} // namespace

BuildResult execute_build(const registry::ImageStore& store, const dockerfile::Dockerfile& file,
                          const BuildGraph& graph, BuildContext& context, StepRunner& runner,
                          const BuildOptions& options, std::ostream& progress) {
  Build build(store, file, graph, context, runner, options, progress);
  BuildResult result = build.run();
  context.save();
  return result;
}

} // namespace builder
