#pragma once

#include "builder/build_graph.h"
#include "builder/progress.h"

#include <functional>
#include <mutex>

namespace builder {

/// Builds the stages of `graph` with up to `jobs` at once, each in its own
/// thread, a stage starting once every stage it depends on is built.
/// `build` runs with `mutex` held (it may release it around slow work, see
/// Unlocked); `failed` (guarded by `mutex`) turns true after the first
/// failure, which `build` should check between steps to stop early. Every
/// slot of `view` is finished, in any case. The first failure is rethrown
/// once all threads have ended.
void run_stages_in_parallel(const BuildGraph& graph, size_t jobs, std::mutex& mutex, bool& failed,
                            Progress& view, const std::function<void(const StagePlan&)>& build);

} // namespace builder
