#include "builder/file_mode.h"

#include <charconv>

namespace builder {

namespace {

/// The mode bits each class letter covers (special bits included).
std::uint32_t class_bits(char c) {
  switch (c) {
  case 'u': return 04700;
  case 'g': return 02070;
  case 'o': return 01007;
  default: // 'a'
    return 07777;
  }
}

std::uint32_t perm_bits(char c) {
  switch (c) {
  case 'r': return 0444;
  case 'w': return 0222;
  case 'x': return 0111;
  case 's': return 06000;
  case 't': return 01000;
  default: return 0;
  }
}

/// rwx of class `c` in `mode`, repeated for all three classes.
std::uint32_t class_perms(std::uint32_t mode, char c) {
  int shift = c == 'u' ? 6 : c == 'g' ? 3 : 0;
  std::uint32_t rwx = (mode >> shift) & 07;
  return rwx << 6 | rwx << 3 | rwx;
}

/// Parses one clause such as "go+rX" or "u=g"; false when malformed.
bool parse_clause(std::string_view text, std::vector<ChmodSpec::Clause>& out) {
  size_t i = 0;
  std::uint32_t who = 0;
  for (; i < text.size() && std::string_view("ugoa").find(text[i]) != std::string_view::npos; ++i) {
    who |= class_bits(text[i]);
  }
  if (who == 0) {
    who = 07777; // no class named: all of them (BuildKit applies no umask)
  }
  if (i == text.size()) {
    return false;
  }
  // Several operators may follow one class list: "u+r-w".
  while (i < text.size()) {
    ChmodSpec::Clause clause;
    clause.who = who;
    clause.op = text[i++];
    if (clause.op != '+' && clause.op != '-' && clause.op != '=') {
      return false;
    }
    if (i < text.size() && std::string_view("ugo").find(text[i]) != std::string_view::npos) {
      clause.copy_of = text[i++];
    } else {
      for (; i < text.size() && std::string_view("rwxXst").find(text[i]) != std::string_view::npos;
           ++i) {
        if (text[i] == 'X') {
          clause.exec_if_any = true;
        } else {
          clause.perms |= perm_bits(text[i]);
        }
      }
    }
    out.push_back(clause);
    if (i < text.size() && std::string_view("+-=").find(text[i]) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

} // namespace

std::uint32_t ChmodSpec::apply(std::uint32_t mode, bool is_dir) const {
  if (octal) {
    return *octal;
  }
  std::uint32_t out = mode & 07777;
  for (const Clause& c : clauses) {
    std::uint32_t bits = c.copy_of ? class_perms(out, *c.copy_of) : c.perms;
    if (c.exec_if_any && (is_dir || (out & 0111) != 0)) {
      bits |= 0111;
    }
    bits &= c.who;
    if (c.op == '+') {
      out |= bits;
    } else if (c.op == '-') {
      out &= ~bits;
    } else {
      out = (out & ~c.who) | bits;
    }
  }
  return out;
}

std::optional<ChmodSpec> parse_chmod(std::string_view text, std::string& error) {
  ChmodSpec spec;
  if (!text.empty() && text.find_first_not_of("01234567") == std::string_view::npos) {
    std::uint32_t value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value, 8);
    if (value > 07777) {
      error = "mode " + std::string(text) + " is out of range (at most 7777)";
      return std::nullopt;
    }
    spec.octal = value;
    return spec;
  }
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string_view clause = text.substr(start, comma - start);
    if (clause.empty() || !parse_clause(clause, spec.clauses)) {
      error = "'" + std::string(text) +
              "' is neither an octal mode (0755) nor a symbolic one (u=rwx,go=rx, +x)";
      return std::nullopt;
    }
    if (comma == std::string_view::npos) {
      break;
    }
    start = comma + 1;
  }
  return spec;
}

} // namespace builder
