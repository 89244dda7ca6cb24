#include "analyzer/secrets/example.h"

#include <cstdint>

namespace secrets {

namespace {

std::string_view alphabet(char cls) {
  switch (cls) {
  case 'a': return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  case 'l': return "abcdefghijklmnopqrstuvwxyz0123456789";
  case 'u': return "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  case 'h': return "0123456789abcdef";
  case 'H': return "0123456789ABCDEF";
  case 'd': return "0123456789";
  case 'b': return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  case 'w': return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
  case 'U': return "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  case 'A': return "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  case 'x': return "abcdefghijklmnopqrstuvwxyz";
  case 'B': return "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L";
  default: return {};
  }
}

/// splitmix64: small, fast, and good enough to make values look random.
std::uint64_t next_random(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// Parses "{C:N}" at text[i]; returns the length consumed, or 0 if not a placeholder.
size_t parse_placeholder(std::string_view text, size_t i, char& cls, size_t& count) {
  if (i + 4 >= text.size() || text[i] != '{' || text[i + 2] != ':') {
    return 0;
  }
  if (alphabet(text[i + 1]).empty()) {
    return 0;
  }
  size_t j = i + 3;
  size_t n = 0;
  while (j < text.size() && text[j] >= '0' && text[j] <= '9') {
    n = n * 10 + static_cast<size_t>(text[j] - '0');
    ++j;
  }
  if (j == i + 3 || j >= text.size() || text[j] != '}') {
    return 0;
  }
  cls = text[i + 1];
  count = n;
  return j + 1 - i;
}

} // namespace

std::string expand_example(std::string_view text, std::uint64_t seed) {
  std::uint64_t state = seed * 0x2545f4914f6cdd1dULL + text.size();
  std::string out;
  out.reserve(text.size() * 2);
  for (size_t i = 0; i < text.size();) {
    char cls = 0;
    size_t count = 0;
    if (size_t used = parse_placeholder(text, i, cls, count)) {
      std::string_view chars = alphabet(cls);
      for (size_t k = 0; k < count; ++k) {
        out.push_back(chars[next_random(state) % chars.size()]);
      }
      i += used;
    } else {
      out.push_back(text[i]);
      ++i;
    }
  }
  return out;
}

} // namespace secrets
