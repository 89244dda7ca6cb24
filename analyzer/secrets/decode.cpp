#include "analyzer/secrets/decode.h"

#include <array>

namespace secrets {

namespace {

/// Value of a base64 character (both alphabets), or -1.
constexpr std::array<int, 256> k_values = [] {
  std::array<int, 256> values{};
  values.fill(-1);
  const char* const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  for (int i = 0; i < 62; ++i)
    values[static_cast<unsigned char>(alphabet[i])] = i;
  values['+'] = values['-'] = 62;
  values['/'] = values['_'] = 63;
  return values;
}();

bool is_base64_char(char c) {
  return k_values[static_cast<unsigned char>(c)] >= 0;
}

/// Decodes `span` (no padding); false if the result is not printable text.
bool decode_printable(std::string_view span, std::string& out) {
  out.clear();
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : span) {
    bits = (bits << 6) | static_cast<std::uint32_t>(k_values[static_cast<unsigned char>(c)]);
    count += 6;
    if (count >= 8) {
      count -= 8;
      auto byte = static_cast<unsigned char>((bits >> count) & 0xff);
      if ((byte < 0x20 || byte > 0x7e) && byte != '\n' && byte != '\r' && byte != '\t')
        return false;
      out.push_back(static_cast<char>(byte));
    }
  }
  return out.size() >= 8;
}

} // namespace

std::vector<EncodedSpan> find_base64(std::string_view text, std::size_t min_length) {
  std::vector<EncodedSpan> spans;
  std::string decoded;
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (!is_base64_char(text[pos])) {
      ++pos;
      continue;
    }
    std::size_t end = pos;
    while (end < text.size() && is_base64_char(text[end]))
      ++end;
    std::size_t padded = end;
    while (padded < text.size() && padded - end < 2 && text[padded] == '=')
      ++padded;
    if (padded - pos >= min_length && decode_printable(text.substr(pos, end - pos), decoded))
      spans.push_back({pos, std::string(text.substr(pos, padded - pos)), decoded});
    pos = padded;
  }
  return spans;
}

} // namespace secrets
