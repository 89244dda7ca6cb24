#pragma once

#include <cstddef>
#include <functional>

namespace registry {

/// Runs task(0) … task(count - 1) on up to `workers` threads (the calling
/// thread is one of them), each taking the next index. After the first task
/// throws, no new index starts; when all threads are done, the exception of
/// the lowest failed index is rethrown.
void for_each_parallel(std::size_t count, unsigned workers,
                       const std::function<void(std::size_t)>& task);

} // namespace registry
