#include "core/verified_reader.h"

#include "core/error.h"

namespace core {

std::string digest_mismatch_message(std::string_view name, const Digest& expected,
                                    const Digest& actual) {
  std::string message(name);
  message += ": digest mismatch (";
  if (name.find(expected.str()) == std::string_view::npos) {
    message += "expected " + expected.str() + ", ";
  }
  message += "content is " + actual.str() + ")";
  return message;
}

VerifiedReader::VerifiedReader(std::unique_ptr<InputStream> inner, Digest expected,
                               std::optional<std::uint64_t> expected_size, std::string name)
    : m_inner(std::move(inner)), m_expected(std::move(expected)), m_expected_size(expected_size),
      m_name(std::move(name)) {}

size_t VerifiedReader::read(void* buffer, size_t size) {
  if (m_verified) {
    return 0;
  }
  size_t n = m_inner->read(buffer, size);
  if (n == 0) {
    check_at_end();
    return 0;
  }
  m_read += n;
  if (m_expected_size && m_read > *m_expected_size) {
    throw InputError(m_name + ": size mismatch (more than the expected " +
                     std::to_string(*m_expected_size) + " bytes)");
  }
  m_hasher.update(buffer, n);
  return n;
}

void VerifiedReader::check_at_end() {
  if (m_expected_size && m_read != *m_expected_size) {
    throw InputError(m_name + ": size mismatch (expected " + std::to_string(*m_expected_size) +
                     " bytes, got " + std::to_string(m_read) + ")");
  }
  Digest actual = m_hasher.finish();
  if (actual != m_expected) {
    throw InputError(digest_mismatch_message(m_name, m_expected, actual));
  }
  m_verified = true;
}

} // namespace core
