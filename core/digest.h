#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace core {

/// A content digest "sha256:<64 lowercase hex>". The only algorithm the
/// project writes; parse() refuses anything else so a bad digest never reaches
/// a path (blobs/sha256/<hex>).
class Digest {
public:
  /// Parses "sha256:<64 hex>". Returns nullopt for anything else (other
  /// algorithms, upper-case hex, wrong length).
  static std::optional<Digest> parse(std::string_view text);

  /// Like parse(), but throws InputError("invalid digest '…': …") naming what is wrong.
  static Digest from_string(std::string_view text);

  /// From the 32 raw bytes of a SHA-256 sum.
  static Digest from_sha256_bytes(std::span<const std::uint8_t, 32> bytes);

  const std::string& str() const noexcept { return m_text; }
  std::string_view algorithm() const noexcept { return std::string_view(m_text).substr(0, 6); }
  std::string_view hex() const noexcept { return std::string_view(m_text).substr(7); }
  /// The first 12 hex digits, as docker prints image ids.
  std::string_view short_hex() const noexcept { return hex().substr(0, 12); }

  friend bool operator==(const Digest&, const Digest&) = default;
  friend auto operator<=>(const Digest&, const Digest&) = default;

private:
  explicit Digest(std::string text) : m_text(std::move(text)) {}
  std::string m_text;
};

/// Streaming SHA-256 over OpenSSL EVP. Feed with update(), read with finish().
class Sha256 {
public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const void* data, size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }

  /// The digest of everything fed so far. The hasher is reset afterwards.
  Digest finish();

  /// Bytes fed since construction or the last finish().
  std::uint64_t size() const noexcept { return m_size; }

private:
  struct Ctx;
  std::unique_ptr<Ctx> m_ctx;
  std::uint64_t m_size = 0;
};

/// The digest of a byte string.
Digest sha256_of(std::string_view data);

} // namespace core

template <> struct std::hash<core::Digest> {
  size_t operator()(const core::Digest& d) const noexcept {
    return std::hash<std::string>()(d.str());
  }
};
