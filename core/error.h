#pragma once

#include <exception>
#include <string>
#include <string_view>

namespace core {

/// An operational failure (I/O, a syscall, a corrupt blob). The message reads
/// "verb object: cause"; callers at phase boundaries put context in front of it
/// with add_context(), like crun's crun_error_wrap().
class Error : public std::exception {
public:
  explicit Error(std::string message) : m_message(std::move(message)) {}

  const char* what() const noexcept override { return m_message.c_str(); }
  const std::string& message() const noexcept { return m_message; }

  /// Prepends "context: " to the message.
  void add_context(std::string_view context);

private:
  std::string m_message;
};

/// Bad input from the user (a corrupt image.tar, a malformed manifest, a bad
/// flag value). Same channel as Error, but tools map it to their usage/input
/// exit code (2 for cscan) instead of the operational one.
class InputError : public Error {
public:
  using Error::Error;
};

/// The text of strerror(err), thread-safe.
std::string errno_message(int err);

/// Throws Error("verb 'object': strerror(errno)"). Reads errno itself.
[[noreturn]] void throw_errno(std::string_view verb, std::string_view object);

/// Throws Error("verb 'object': strerror(err)").
[[noreturn]] void throw_errno(std::string_view verb, std::string_view object, int err);

} // namespace core
