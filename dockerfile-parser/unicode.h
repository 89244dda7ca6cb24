#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

/// The few Unicode facts the Dockerfile parser needs to behave exactly like
/// BuildKit, which is written in Go: UTF-8 decoding with Go's rules and Go's
/// character classes (unicode.IsSpace, IsLetter, IsDigit, strconv.IsPrint).
namespace dockerfile {

/// U+FFFD, what Go yields for a byte that does not start valid UTF-8.
inline constexpr char32_t k_replacement_char = 0xFFFD;

/// One decoded code point and the number of bytes it used (1 for a bad byte).
struct DecodedRune {
  char32_t rune = 0;
  size_t width = 0;
  bool valid = true; ///< false when the byte at the position is not valid UTF-8
};

/// Decodes the code point at `pos` like Go's utf8.DecodeRuneInString: an invalid
/// or truncated sequence, an overlong form or a surrogate gives U+FFFD, width 1.
/// `pos` must be < text.size().
DecodedRune decode_rune(std::string_view text, size_t pos);

/// Appends the UTF-8 encoding of `rune` (U+FFFD for surrogates and > U+10FFFF).
void append_utf8(std::string& out, char32_t rune);

/// Go's unicode.IsSpace.
bool is_space_slow(char32_t rune);
inline bool is_space(char32_t r) {
  if (r < 0x80) {
    return r == ' ' || (r >= '\t' && r <= '\r');
  }
  return is_space_slow(r);
}
/// Go's unicode.IsLetter (general category L).
bool is_letter(char32_t rune);
/// Go's unicode.IsDigit (general category Nd).
bool is_digit(char32_t rune);
/// Go's strconv.IsPrint: categories L, M, N, P, S and U+0020.
bool is_print(char32_t rune);

/// `text` without leading / trailing Go white space (strings.TrimSpace).
std::string_view trim_space(std::string_view text);
std::string_view trim_left_space(std::string_view text);
std::string_view trim_right_space(std::string_view text);

/// One inclusive code point range of a generated table.
struct CodePointRange {
  char32_t first;
  char32_t last;
};

} // namespace dockerfile
