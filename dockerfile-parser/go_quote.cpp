#include "dockerfile-parser/go_quote.h"

#include "dockerfile-parser/unicode.h"

namespace dockerfile {

namespace {

void append_hex(std::string& out, char prefix, unsigned value, int digits) {
  static const char k_hex[] = "0123456789abcdef";
  out += '\\';
  out += prefix;
  for (int i = digits - 1; i >= 0; --i) {
    out += k_hex[(value >> (4 * i)) & 0xF];
  }
}

void append_escaped(std::string& out, char32_t r) {
  switch (r) {
  case '\a': out += "\\a"; return;
  case '\b': out += "\\b"; return;
  case '\f': out += "\\f"; return;
  case '\n': out += "\\n"; return;
  case '\r': out += "\\r"; return;
  case '\t': out += "\\t"; return;
  case '\v': out += "\\v"; return;
  default: break;
  }
  if (r < ' ' || r == 0x7F) {
    append_hex(out, 'x', static_cast<unsigned>(r), 2);
  } else if (r <= 0xFFFF) {
    append_hex(out, 'u', static_cast<unsigned>(r), 4);
  } else {
    append_hex(out, 'U', static_cast<unsigned>(r), 8);
  }
}

} // namespace

std::string go_quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (size_t pos = 0; pos < text.size();) {
    const auto byte = static_cast<unsigned char>(text[pos]);
    if (byte >= 0x20 && byte < 0x7F && byte != '"' && byte != '\\') {
      out += static_cast<char>(byte); // fast path for printable ASCII
      ++pos;
      continue;
    }
    DecodedRune d = decode_rune(text, pos);
    if (!d.valid) {
      append_hex(out, 'x', byte, 2);
    } else if (d.rune == '"' || d.rune == '\\') {
      out += '\\';
      out += static_cast<char>(d.rune);
    } else if (is_print(d.rune)) {
      out.append(text.substr(pos, d.width));
    } else {
      append_escaped(out, d.rune);
    }
    pos += d.width;
  }
  out += '"';
  return out;
}

std::string go_quote_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) {
      out += ' ';
    }
    out += go_quote(items[i]);
  }
  out += ']';
  return out;
}

} // namespace dockerfile
