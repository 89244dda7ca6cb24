#pragma once

#include <mutex>

namespace builder {

/// Releases the build's mutex (held by a stage's thread while it does its
/// bookkeeping) for one slow, self-contained piece of work — a RUN in the
/// sandbox, compressing a layer — so parallel stages overlap there. No-op
/// when `mutex` is null (a build without parallel stages).
class Unlocked {
public:
  explicit Unlocked(std::mutex* mutex) : m_mutex(mutex) {
    if (m_mutex != nullptr) {
      m_mutex->unlock();
    }
  }
  ~Unlocked() {
    if (m_mutex != nullptr) {
      m_mutex->lock();
    }
  }
  Unlocked(const Unlocked&) = delete;
  Unlocked& operator=(const Unlocked&) = delete;

private:
  std::mutex* m_mutex;
};

} // namespace builder
