#include "builder/parallel_stages.h"

#include <condition_variable>
#include <exception>
#include <set>
#include <thread>
#include <vector>

namespace builder {

void run_stages_in_parallel(const BuildGraph& graph, size_t jobs, std::mutex& mutex, bool& failed,
                            Progress& view, const std::function<void(const StagePlan&)>& build) {
  std::condition_variable changed;
  std::set<size_t> built;
  size_t running = 0;
  std::exception_ptr first_error;

  auto ready = [&](const StagePlan& stage) {
    for (size_t dep : stage.dependencies) {
      if (built.count(dep) == 0) {
        return false;
      }
    }
    return running < jobs;
  };
  auto worker = [&](size_t slot) {
    const StagePlan& stage = graph.stages[graph.order[slot]];
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return failed || ready(stage); });
    if (!failed) {
      ++running;
      try {
        build(stage);
        built.insert(stage.index);
      } catch (...) {
        if (!failed) {
          first_error = std::current_exception();
          failed = true;
        }
      }
      --running;
    }
    lock.unlock();
    view.finish_slot(slot);
    changed.notify_all();
  };

  std::vector<std::thread> threads;
  threads.reserve(graph.order.size());
  for (size_t slot = 0; slot < graph.order.size(); ++slot) {
    threads.emplace_back(worker, slot);
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  if (first_error) {
    std::rethrow_exception(first_error);
  }
}

} // namespace builder
