#include "core/digest.h"

#include "core/error.h"

#include <openssl/evp.h>

namespace core {

namespace {

constexpr std::string_view k_prefix = "sha256:";
constexpr size_t k_hex_length = 64;

bool is_lower_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/// Why `text` is not a valid digest, or empty when it is.
std::string digest_problem(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    return "missing 'sha256:' prefix";
  }
  if (text.substr(0, colon + 1) != k_prefix) {
    return "unsupported algorithm '" + std::string(text.substr(0, colon)) + "' (only sha256)";
  }
  std::string_view hex = text.substr(k_prefix.size());
  if (hex.size() != k_hex_length) {
    return "expected 64 hex digits, got " + std::to_string(hex.size());
  }
  for (char c : hex) {
    if (!is_lower_hex(c)) {
      return "not a lower-case hex digit: '" + std::string(1, c) + "'";
    }
  }
  return {};
}

} // namespace

std::optional<Digest> Digest::parse(std::string_view text) {
  if (!digest_problem(text).empty()) {
    return std::nullopt;
  }
  return Digest(std::string(text));
}

Digest Digest::from_string(std::string_view text) {
  std::string problem = digest_problem(text);
  if (!problem.empty()) {
    std::string shown(text.substr(0, 80));
    throw InputError("invalid digest '" + shown + "': " + problem);
  }
  return Digest(std::string(text));
}

Digest Digest::from_sha256_bytes(std::span<const std::uint8_t, 32> bytes) {
  static const char k_digits[] = "0123456789abcdef";
  std::string text(k_prefix);
  text.reserve(k_prefix.size() + k_hex_length);
  for (std::uint8_t b : bytes) {
    text += k_digits[b >> 4];
    text += k_digits[b & 0xf];
  }
  return Digest(std::move(text));
}

struct Sha256::Ctx {
  EVP_MD_CTX* ctx = nullptr;
  ~Ctx() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : m_ctx(std::make_unique<Ctx>()) {
  m_ctx->ctx = EVP_MD_CTX_new();
  if (m_ctx->ctx == nullptr || EVP_DigestInit_ex(m_ctx->ctx, EVP_sha256(), nullptr) != 1) {
    throw Error("sha256: cannot initialise OpenSSL digest context");
  }
}

Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(const void* data, size_t size) {
  if (size == 0) {
    return;
  }
  if (EVP_DigestUpdate(m_ctx->ctx, data, size) != 1) {
    throw Error("sha256: digest update failed");
  }
  m_size += size;
}

Digest Sha256::finish() {
  std::array<std::uint8_t, 32> sum{};
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(m_ctx->ctx, sum.data(), &length) != 1 || length != sum.size() ||
      EVP_DigestInit_ex(m_ctx->ctx, EVP_sha256(), nullptr) != 1) {
    throw Error("sha256: digest finalisation failed");
  }
  m_size = 0;
  return Digest::from_sha256_bytes(sum);
}

Digest sha256_of(std::string_view data) {
  Sha256 hasher;
  hasher.update(data);
  return hasher.finish();
}

} // namespace core
