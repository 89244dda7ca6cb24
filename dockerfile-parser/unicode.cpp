#include "dockerfile-parser/unicode.h"

#include <algorithm>

namespace dockerfile {

namespace unicode_tables {
extern const CodePointRange k_letter[];
extern const size_t k_letter_size;
extern const CodePointRange k_digit[];
extern const size_t k_digit_size;
extern const CodePointRange k_print[];
extern const size_t k_print_size;
} // namespace unicode_tables

namespace {

bool in_table(const CodePointRange* table, size_t size, char32_t rune) {
  const CodePointRange* end = table + size;
  const CodePointRange* it = std::upper_bound(
      table, end, rune, [](char32_t r, const CodePointRange& range) { return r < range.first; });
  if (it == table) {
    return false;
  }
  --it;
  return rune <= it->last;
}

bool is_continuation(unsigned char byte) {
  return (byte & 0xC0) == 0x80;
}

} // namespace

DecodedRune decode_rune(std::string_view text, size_t pos) {
  const auto b0 = static_cast<unsigned char>(text[pos]);
  if (b0 < 0x80) {
    return {b0, 1, true};
  }
  const DecodedRune bad{k_replacement_char, 1, false};
  size_t need = 0;
  char32_t rune = 0;
  char32_t min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1, rune = b0 & 0x1F, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2, rune = b0 & 0x0F, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3, rune = b0 & 0x07, min = 0x10000;
  } else {
    return bad;
  }
  if (pos + need >= text.size()) {
    return bad;
  }
  for (size_t i = 1; i <= need; ++i) {
    const auto b = static_cast<unsigned char>(text[pos + i]);
    if (!is_continuation(b)) {
      return bad;
    }
    rune = (rune << 6) | (b & 0x3F);
  }
  if (rune < min || rune > 0x10FFFF || (rune >= 0xD800 && rune <= 0xDFFF)) {
    return bad;
  }
  return {rune, need + 1, true};
}

void append_utf8(std::string& out, char32_t rune) {
  if (rune > 0x10FFFF || (rune >= 0xD800 && rune <= 0xDFFF)) {
    rune = k_replacement_char;
  }
  if (rune < 0x80) {
    out += static_cast<char>(rune);
  } else if (rune < 0x800) {
    out += static_cast<char>(0xC0 | (rune >> 6));
    out += static_cast<char>(0x80 | (rune & 0x3F));
  } else if (rune < 0x10000) {
    out += static_cast<char>(0xE0 | (rune >> 12));
    out += static_cast<char>(0x80 | ((rune >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (rune & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (rune >> 18));
    out += static_cast<char>(0x80 | ((rune >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((rune >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (rune & 0x3F));
  }
}

bool is_space_slow(char32_t r) {
  if (r <= 0xFF) {
    return r == ' ' || (r >= '\t' && r <= '\r') || r == 0x85 || r == 0xA0;
  }
  return r == 0x1680 || (r >= 0x2000 && r <= 0x200A) || r == 0x2028 || r == 0x2029 || r == 0x202F ||
         r == 0x205F || r == 0x3000;
}

bool is_letter(char32_t r) {
  if (r < 0x80) {
    return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
  }
  return in_table(unicode_tables::k_letter, unicode_tables::k_letter_size, r);
}

bool is_digit(char32_t r) {
  if (r < 0x80) {
    return r >= '0' && r <= '9';
  }
  return in_table(unicode_tables::k_digit, unicode_tables::k_digit_size, r);
}

bool is_print(char32_t r) {
  if (r < 0x80) {
    return r >= 0x20 && r < 0x7F;
  }
  return in_table(unicode_tables::k_print, unicode_tables::k_print_size, r);
}

std::string_view trim_left_space(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    const auto byte = static_cast<unsigned char>(text[pos]);
    if (byte < 0x80) {
      if (!is_space(byte)) {
        break;
      }
      ++pos;
      continue;
    }
    DecodedRune d = decode_rune(text, pos);
    if (!d.valid || !is_space(d.rune)) {
      break;
    }
    pos += d.width;
  }
  return text.substr(pos);
}

std::string_view trim_right_space(std::string_view text) {
  size_t end = text.size();
  while (end > 0) {
    const auto byte = static_cast<unsigned char>(text[end - 1]);
    if (byte < 0x80) {
      if (!is_space(byte)) {
        break;
      }
      --end;
      continue;
    }
    // Find where the last code point starts and check that it decodes to
    // exactly the bytes up to `end`; a stray byte is not white space.
    size_t start = end - 1;
    while (start > 0 && end - start < 4 &&
           (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) {
      --start;
    }
    DecodedRune d = decode_rune(text, start);
    if (!d.valid || start + d.width != end || !is_space(d.rune)) {
      break;
    }
    end = start;
  }
  return text.substr(0, end);
}

std::string_view trim_space(std::string_view text) {
  return trim_right_space(trim_left_space(text));
}

} // namespace dockerfile
