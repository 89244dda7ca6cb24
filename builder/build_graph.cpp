#include "builder/build_graph.h"

#include "core/error.h"
#include "dockerfile-parser/expand.h"

#include <algorithm>
#include <cctype>
#include <functional>

namespace builder {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

bool is_number(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

dockerfile::ShellLex lexer(const dockerfile::Dockerfile& file) {
  return dockerfile::ShellLex({.escape = static_cast<char32_t>(file.escape)});
}

/// The `from=` stages of a RUN's --mount values.
void mount_sources(const dockerfile::Dockerfile& file, size_t stage,
                   const dockerfile::RunInstruction& run, const dockerfile::Env& global,
                   const dockerfile::ShellLex& lex, std::vector<size_t>& out) {
  for (const std::string& value : run.mounts) {
    dockerfile::ExpandResult expanded = lex.expand_word(value, global);
    std::string error;
    std::optional<dockerfile::Mount> mount =
        dockerfile::parse_mount(expanded.ok ? expanded.word : value, error);
    if (!mount || mount->from.empty()) {
      continue; // a bad value is reported when the step runs
    }
    if (auto found = find_stage(file, mount->from, stage)) {
      out.push_back(*found);
    }
  }
}

/// The stages a `COPY --from=` or a `RUN --mount=from=` of `stage` reads.
/// Values with variables are expanded with the global scope (stage ARGs
/// cannot name a stage in practice).
std::vector<size_t> copy_sources(const dockerfile::Dockerfile& file, size_t stage,
                                 const dockerfile::Env& global) {
  std::vector<size_t> out;
  dockerfile::ShellLex lex = lexer(file);
  for (const dockerfile::Instruction& ins : file.stages[stage].instructions) {
    if (const auto* run = ins.as<dockerfile::RunInstruction>()) {
      mount_sources(file, stage, *run, global, lex, out);
      continue;
    }
    const auto* copy = ins.as<dockerfile::CopyInstruction>();
    if (copy == nullptr || copy->from.empty()) {
      continue;
    }
    dockerfile::ExpandResult from = lex.expand_word(copy->from, global);
    if (auto found = find_stage(file, from.ok ? from.word : copy->from, stage)) {
      out.push_back(*found);
    }
  }
  return out;
}

StageBase resolve_base(const dockerfile::Dockerfile& file, size_t index,
                       const dockerfile::Env& global) {
  std::string error;
  dockerfile::ExpandedFrom from =
      dockerfile::expand_from(file.stages[index], global, lexer(file), error);
  if (!error.empty()) {
    throw core::InputError("FROM " + file.stages[index].base_name + ": " + error);
  }
  if (from.base_name.empty()) {
    throw core::InputError("FROM at line " + std::to_string(file.stages[index].start_line) +
                           " names no image");
  }
  if (lower(from.base_name) == "scratch") {
    return {.kind = BaseKind::scratch, .name = "scratch"};
  }
  if (auto stage = find_stage(file, from.base_name, index); stage && !is_number(from.base_name)) {
    return {.kind = BaseKind::stage, .name = from.base_name, .stage_index = *stage};
  }
  return {.kind = BaseKind::image, .name = from.base_name};
}

size_t find_target(const dockerfile::Dockerfile& file, const std::string& target) {
  if (target.empty()) {
    return file.stages.size() - 1;
  }
  for (size_t i = 0; i < file.stages.size(); ++i) {
    if (file.stages[i].name == lower(target)) {
      return i;
    }
  }
  std::string names;
  for (const dockerfile::Stage& stage : file.stages) {
    if (!stage.name.empty()) {
      names += (names.empty() ? "" : ", ") + stage.name;
    }
  }
  throw core::InputError("target stage '" + target + "' could not be found" +
                         (names.empty() ? " (no stage is named)" : " (stages: " + names + ")"));
}

} // namespace

std::optional<size_t> find_stage(const dockerfile::Dockerfile& file, std::string_view name,
                                 size_t before) {
  std::string wanted = lower(name);
  for (size_t i = 0; i < before && i < file.stages.size(); ++i) {
    if (!file.stages[i].name.empty() && file.stages[i].name == wanted) {
      return i;
    }
  }
  if (is_number(name) && name.size() < 6) {
    size_t index = std::stoul(std::string(name));
    if (index < before) {
      return index;
    }
  }
  return std::nullopt;
}

BuildGraph plan_build(const dockerfile::Dockerfile& file, const std::string& target,
                      const dockerfile::ArgInputs& inputs) {
  if (file.stages.empty()) {
    throw core::InputError("the Dockerfile has no FROM instruction");
  }
  BuildGraph graph;
  graph.arg_inputs = inputs;
  std::vector<std::string> errors;
  graph.global_scope = dockerfile::global_scope(file.global_args, inputs, lexer(file), errors);
  if (!errors.empty()) {
    throw core::InputError("global ARG: " + errors.front());
  }
  for (size_t i = 0; i < file.stages.size(); ++i) {
    StagePlan stage{.index = i,
                    .name = file.stages[i].name,
                    .base = {},
                    .source = &file.stages[i],
                    .dependencies = {}};
    stage.base = resolve_base(file, i, graph.global_scope);
    if (stage.base.kind == BaseKind::stage) {
      stage.dependencies.push_back(stage.base.stage_index);
    }
    for (size_t from : copy_sources(file, i, graph.global_scope)) {
      stage.dependencies.push_back(from);
    }
    std::sort(stage.dependencies.begin(), stage.dependencies.end());
    stage.dependencies.erase(std::unique(stage.dependencies.begin(), stage.dependencies.end()),
                             stage.dependencies.end());
    graph.stages.push_back(std::move(stage));
  }
  graph.target = find_target(file, target);
  // Dependencies always have smaller indexes, so a depth-first walk that
  // emits a stage after its dependencies yields an ascending order.
  std::vector<bool> needed(file.stages.size(), false);
  std::function<void(size_t)> mark = [&](size_t i) {
    if (needed[i]) {
      return;
    }
    needed[i] = true;
    for (size_t dep : graph.stages[i].dependencies) {
      mark(dep);
    }
  };
  mark(graph.target);
  for (size_t i = 0; i < needed.size(); ++i) {
    if (needed[i]) {
      graph.order.push_back(i);
    }
  }
  return graph;
}

} // namespace builder
