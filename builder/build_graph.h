#pragma once

#include "dockerfile-parser/env.h"
#include "dockerfile-parser/expand.h"
#include "dockerfile-parser/instructions.h"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

/// The build graph: which stages a build needs, what each starts from and
/// which other stages it reads. Plain data computed from the typed
/// Dockerfile before anything runs (see plan_build()).
namespace builder {

/// What a stage's FROM names.
enum class BaseKind {
  scratch, ///< `FROM scratch`: no layers
  stage,   ///< an earlier stage (by name or index)
  image,   ///< an image looked up in the local store
};

struct StageBase {
  BaseKind kind = BaseKind::scratch;
  std::string name;       ///< the expanded FROM name as written (image reference)
  size_t stage_index = 0; ///< for BaseKind::stage
};

/// One stage to build.
struct StagePlan {
  size_t index = 0;                 ///< position in the Dockerfile (0-based)
  std::string name;                 ///< AS name, "" when unnamed
  StageBase base;                   ///< what FROM names
  const dockerfile::Stage* source;  ///< the typed stage (owned by the Dockerfile)
  std::vector<size_t> dependencies; ///< stages it reads (base and COPY --from), sorted
};

/// The stages of a build in an order that builds dependencies first.
struct BuildGraph {
  std::vector<StagePlan> stages;    ///< indexed like the Dockerfile's stages
  std::vector<size_t> order;        ///< stage indexes to build, dependencies first
  size_t target = 0;                ///< the stage whose result is the image
  dockerfile::Env global_scope;     ///< ARGs before the first FROM, evaluated
  dockerfile::ArgInputs arg_inputs; ///< --build-arg values and platform args
};

/// The stage a `--from=`/FROM name refers to among stages before `before`
/// (a name, case-insensitive, or a decimal index); nullopt for an image.
std::optional<size_t> find_stage(const dockerfile::Dockerfile& file, std::string_view name,
                                 size_t before);

/// Plans the build of `target` (a stage name, or "" for the last stage).
/// Throws core::InputError for an unknown target, a FROM that cannot be
/// expanded, or a bad global ARG.
BuildGraph plan_build(const dockerfile::Dockerfile& file, const std::string& target,
                      const dockerfile::ArgInputs& inputs);

} // namespace builder
