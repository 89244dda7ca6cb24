#include "core/error.h"

#include <cerrno>
#include <cstring>

namespace core {

void Error::add_context(std::string_view context) {
  std::string message;
  message.reserve(context.size() + 2 + m_message.size());
  message.append(context).append(": ").append(m_message);
  m_message = std::move(message);
}

std::string errno_message(int err) {
  char buffer[256];
  // GNU strerror_r returns a pointer that may or may not be the buffer.
  const char* text = strerror_r(err, buffer, sizeof buffer);
  return text;
}

void throw_errno(std::string_view verb, std::string_view object) {
  throw_errno(verb, object, errno);
}

void throw_errno(std::string_view verb, std::string_view object, int err) {
  std::string message(verb);
  message.append(" '").append(object).append("': ").append(errno_message(err));
  throw Error(std::move(message));
}

} // namespace core
