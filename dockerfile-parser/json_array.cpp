#include "dockerfile-parser/json_array.h"

#include "dockerfile-parser/unicode.h"

#include <optional>

namespace dockerfile {

namespace {

/// A strict recursive-descent JSON reader that only keeps top-level strings.
class JsonReader {
public:
  explicit JsonReader(std::string_view text) : m_text(text) {}

  JsonArray read_document() {
    JsonArray result;
    skip_ws();
    if (!consume('[')) {
      return result;
    }
    bool all_strings = true;
    skip_ws();
    if (!consume(']')) {
      for (;;) {
        skip_ws();
        if (peek() == '"') {
          std::optional<std::string> s = read_string();
          if (!s) {
            return {};
          }
          result.items.push_back(std::move(*s));
        } else {
          if (!skip_value()) {
            return {};
          }
          all_strings = false;
        }
        skip_ws();
        if (consume(']')) {
          break;
        }
        if (!consume(',')) {
          return {};
        }
      }
    }
    skip_ws();
    if (m_pos != m_text.size()) {
      return {};
    }
    result.status = all_strings ? JsonArrayStatus::ok : JsonArrayStatus::not_strings;
    if (!all_strings) {
      result.items.clear();
    }
    return result;
  }

private:
  static constexpr size_t k_max_depth = 10000; // Go's encoding/json limit

  int peek() const {
    return m_pos < m_text.size() ? static_cast<unsigned char>(m_text[m_pos]) : -1;
  }
  bool consume(char c) {
    if (peek() == static_cast<unsigned char>(c)) {
      ++m_pos;
      return true;
    }
    return false;
  }
  bool consume_word(std::string_view word) {
    if (m_text.substr(m_pos, word.size()) == word) {
      m_pos += word.size();
      return true;
    }
    return false;
  }
  void skip_ws() {
    while (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r') {
      ++m_pos;
    }
  }

  /// Skips one value of any kind. Containers are walked with an explicit stack
  /// so deep nesting cannot overflow ours.
  bool skip_value() {
    std::string open; // the closing brackets still expected
    for (;;) {
      skip_ws();
      const bool in_object = !open.empty() && open.back() == '}';
      if (in_object) {
        if (peek() != '"' || !read_string()) {
          return false;
        }
        skip_ws();
        if (!consume(':')) {
          return false;
        }
        skip_ws();
      }
      const int c = peek();
      if (c == '[' || c == '{') {
        if (open.size() >= k_max_depth) {
          return false;
        }
        ++m_pos;
        open += c == '[' ? ']' : '}';
        skip_ws();
        if (!consume(open.back())) {
          continue; // read the first element / member
        }
        open.pop_back();
      } else if (!skip_scalar()) {
        return false;
      }
      // After a complete value: close containers or move to the next element.
      for (;;) {
        if (open.empty()) {
          return true;
        }
        skip_ws();
        if (consume(open.back())) {
          open.pop_back();
          continue;
        }
        if (!consume(',')) {
          return false;
        }
        break;
      }
    }
  }

  bool skip_scalar() {
    switch (peek()) {
    case '"': return read_string().has_value();
    case 't': return consume_word("true");
    case 'f': return consume_word("false");
    case 'n': return consume_word("null");
    default: return skip_number();
    }
  }

  bool skip_digits() {
    size_t start = m_pos;
    while (peek() >= '0' && peek() <= '9') {
      ++m_pos;
    }
    return m_pos > start;
  }

  bool skip_number() {
    consume('-');
    if (consume('0')) {
      // no leading zeros
    } else if (peek() >= '1' && peek() <= '9') {
      skip_digits();
    } else {
      return false;
    }
    if (consume('.') && !skip_digits()) {
      return false;
    }
    if (peek() == 'e' || peek() == 'E') {
      ++m_pos;
      if (!consume('+')) {
        consume('-');
      }
      if (!skip_digits()) {
        return false;
      }
    }
    return true;
  }

  std::optional<unsigned> read_hex4() {
    if (m_pos + 4 > m_text.size()) {
      return std::nullopt;
    }
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = m_text[m_pos++];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<unsigned>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v |= static_cast<unsigned>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        v |= static_cast<unsigned>(c - 'A' + 10);
      } else {
        return std::nullopt;
      }
    }
    return v;
  }

  /// \uXXXX, combining a surrogate pair when one follows.
  bool read_unicode_escape(std::string& out) {
    std::optional<unsigned> hi = read_hex4();
    if (!hi) {
      return false;
    }
    char32_t rune = *hi;
    if (*hi >= 0xD800 && *hi < 0xDC00) {
      size_t save = m_pos;
      if (consume('\\') && consume('u')) {
        std::optional<unsigned> lo = read_hex4();
        if (lo && *lo >= 0xDC00 && *lo < 0xE000) {
          append_utf8(out, 0x10000 + ((*hi - 0xD800) << 10) + (*lo - 0xDC00));
          return true;
        }
      }
      m_pos = save; // unpaired: U+FFFD, the next escape is read on its own
      rune = k_replacement_char;
    } else if (*hi >= 0xDC00 && *hi < 0xE000) {
      rune = k_replacement_char;
    }
    append_utf8(out, rune);
    return true;
  }

  std::optional<std::string> read_string() {
    ++m_pos; // opening quote
    std::string out;
    for (;;) {
      int c = peek();
      if (c < 0 || c < 0x20) {
        return std::nullopt;
      }
      if (c == '"') {
        ++m_pos;
        return out;
      }
      if (c == '\\') {
        ++m_pos;
        int e = peek();
        ++m_pos;
        switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u':
          if (!read_unicode_escape(out)) {
            return std::nullopt;
          }
          break;
        default: return std::nullopt;
        }
        continue;
      }
      if (c < 0x80) {
        out += static_cast<char>(c);
        ++m_pos;
        continue;
      }
      DecodedRune d = decode_rune(m_text, m_pos);
      if (d.valid) {
        out.append(m_text.substr(m_pos, d.width));
      } else {
        append_utf8(out, k_replacement_char);
      }
      m_pos += d.width;
    }
  }

  std::string_view m_text;
  size_t m_pos = 0;
};

} // namespace

JsonArray parse_json_array(std::string_view text) {
  text = trim_left_space(text);
  if (text.empty() || text[0] != '[') {
    return {};
  }
  return JsonReader(text).read_document();
}

} // namespace dockerfile
