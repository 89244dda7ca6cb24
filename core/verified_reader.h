#pragma once

#include "core/digest.h"
#include "core/stream.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace core {

/// Hashes a stream as it is read and, at its end, checks the digest (and the
/// size, when known) — umoci's verified_reader. Reading past the expected size
/// fails at once, so a hostile stream cannot run on forever. Errors are
/// InputError naming `name`: "<name>: digest mismatch (content is sha256:…)";
/// when `name` does not already show the expected digest, it is added.
class VerifiedReader : public InputStream {
public:
  VerifiedReader(std::unique_ptr<InputStream> inner, Digest expected,
                 std::optional<std::uint64_t> expected_size, std::string name);

  size_t read(void* buffer, size_t size) override;

  /// Bytes read so far.
  std::uint64_t bytes_read() const noexcept { return m_read; }

private:
  void check_at_end();

  std::unique_ptr<InputStream> m_inner;
  Digest m_expected;
  std::optional<std::uint64_t> m_expected_size;
  std::string m_name;
  Sha256 m_hasher;
  std::uint64_t m_read = 0;
  bool m_verified = false;
};

/// Builds the message "<name>: digest mismatch (content is <actual>)", adding
/// "expected <digest>, " when `name` does not contain it.
std::string digest_mismatch_message(std::string_view name, const Digest& expected,
                                    const Digest& actual);

} // namespace core
