#pragma once

#include <utility>

namespace core {

/// Runs a callable when the scope ends, unless release() was called.
/// Like ccache's DEFER; for handles that have no owning type of their own.
template <typename F> class ScopeExit {
public:
  explicit ScopeExit(F f) : m_f(std::move(f)) {}
  ScopeExit(const ScopeExit&) = delete;
  ScopeExit& operator=(const ScopeExit&) = delete;
  ~ScopeExit() {
    if (m_active) {
      m_f();
    }
  }
  void release() noexcept { m_active = false; }

private:
  F m_f;
  bool m_active = true;
};

} // namespace core
