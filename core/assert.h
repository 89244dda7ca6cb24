#pragma once

/// Aborts with file and line when an invariant is broken. For bugs only: bad
/// input and failed syscalls are reported with core::Error or a Diagnostic.
#define CB_ASSERT(cond)                                                                            \
  ((cond) ? static_cast<void>(0) : ::core::assert_failed(#cond, __FILE__, __LINE__))

namespace core {
[[noreturn]] void assert_failed(const char* condition, const char* file, int line) noexcept;
} // namespace core
