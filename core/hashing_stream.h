#pragma once

#include "core/digest.h"
#include "core/stream.h"

namespace core {

/// Passes bytes on to `next` (not owned) while hashing them: the way a
/// diff_id is taken of the uncompressed tar on its way to a compressor.
class HashingOutputStream : public OutputStream {
public:
  explicit HashingOutputStream(OutputStream& next) : m_next(next) {}
  void write(const void* data, size_t size) override {
    m_hasher.update(data, size);
    m_next.write(data, size);
  }
  using OutputStream::write;
  void finish() override { m_next.finish(); }

  /// The digest of everything written; call once, after the last write.
  Digest digest() { return m_hasher.finish(); }
  std::uint64_t size() const noexcept { return m_hasher.size(); }

private:
  OutputStream& m_next;
  Sha256 m_hasher;
};

} // namespace core
