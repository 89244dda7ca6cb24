#include "registry/reference.h"

#include "core/error.h"

#include <cctype>
#include <vector>

namespace registry {

namespace {

constexpr std::string_view k_default_domain = "docker.io";
constexpr std::string_view k_official_prefix = "library/";
constexpr size_t k_max_name_length = 255;
constexpr size_t k_max_tag_length = 128;

[[noreturn]] void fail(std::string_view text, std::string_view why) {
  throw core::InputError("invalid reference format '" + std::string(text) +
                         "': " + std::string(why));
}

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/// A path component: [a-z0-9]+ ((\.|_|__|-+)[a-z0-9]+)*
bool is_valid_component(std::string_view c) {
  if (c.empty() || !is_lower_alnum(c.front()) || !is_lower_alnum(c.back())) {
    return false;
  }
  for (size_t i = 0; i < c.size();) {
    if (is_lower_alnum(c[i])) {
      ++i;
      continue;
    }
    size_t start = i;
    while (i < c.size() && !is_lower_alnum(c[i])) {
      ++i;
    }
    std::string_view sep = c.substr(start, i - start);
    bool dashes = sep.find_first_not_of('-') == std::string_view::npos;
    if (!(sep == "." || sep == "_" || sep == "__" || dashes)) {
      return false;
    }
  }
  return true;
}

/// A registry host: DNS labels separated by dots, optionally ":port",
/// or a bracketed IPv6 address.
bool is_valid_domain(std::string_view d) {
  std::string_view host = d;
  // The port follows the last ':' after a bracketed IPv6 address, if any.
  size_t search_from = d.empty() || d.front() != '[' ? 0 : d.find(']');
  size_t colon =
      search_from == std::string_view::npos ? std::string_view::npos : d.find(':', search_from);
  if (colon != std::string_view::npos) {
    std::string_view port = d.substr(colon + 1);
    if (port.empty() || port.find_first_not_of("0123456789") != std::string_view::npos) {
      return false;
    }
    host = d.substr(0, colon);
  }
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    return host.substr(1, host.size() - 2).find_first_not_of("0123456789abcdefABCDEF:") ==
           std::string_view::npos;
  }
  if (host.empty()) {
    return false;
  }
  size_t start = 0;
  while (start <= host.size()) {
    size_t dot = host.find('.', start);
    std::string_view label = host.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty() || !std::isalnum(static_cast<unsigned char>(label.front())) ||
        !std::isalnum(static_cast<unsigned char>(label.back()))) {
      return false;
    }
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') {
        return false;
      }
    }
    if (dot == std::string_view::npos) {
      break;
    }
    start = dot + 1;
  }
  return true;
}

bool is_valid_tag(std::string_view t) {
  if (t.empty() || t.size() > k_max_tag_length) {
    return false;
  }
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  if (!word(t.front())) {
    return false;
  }
  for (char c : t) {
    if (!word(c) && c != '.' && c != '-') {
      return false;
    }
  }
  return true;
}

/// Docker's rule: the first component is a registry host when it has a '.'
/// or a ':', or is "localhost", or has upper-case letters.
bool looks_like_domain(std::string_view first) {
  if (first == "localhost") {
    return true;
  }
  for (char c : first) {
    if (c == '.' || c == ':' || std::isupper(static_cast<unsigned char>(c))) {
      return true;
    }
  }
  return false;
}

} // namespace

Reference parse_reference(std::string_view text) {
  if (text.empty()) {
    fail(text, "empty reference");
  }
  Reference ref;
  std::string_view rest = text;

  if (size_t at = rest.find('@'); at != std::string_view::npos) {
    auto digest = core::Digest::parse(rest.substr(at + 1));
    if (!digest) {
      fail(text, "invalid digest after '@' (expected sha256:<64 hex digits>)");
    }
    ref.digest = *digest;
    rest = rest.substr(0, at);
  }
  // A tag follows the last ':' that comes after the last '/', so a port is never a tag.
  size_t slash = rest.rfind('/');
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    std::string_view tag = rest.substr(colon + 1);
    if (!is_valid_tag(tag)) {
      fail(text,
           "invalid tag '" + std::string(tag) +
               "' (letters, digits, '_', '.', '-'; at most 128; not starting with '.' or '-')");
    }
    ref.tag = tag;
    rest = rest.substr(0, colon);
  }

  std::string_view name = rest;
  size_t first_slash = name.find('/');
  if (first_slash != std::string_view::npos && looks_like_domain(name.substr(0, first_slash))) {
    ref.domain = name.substr(0, first_slash);
    name = name.substr(first_slash + 1);
    if (!is_valid_domain(ref.domain)) {
      fail(text, "invalid registry host '" + ref.domain + "'");
    }
  } else {
    ref.domain = k_default_domain;
  }
  if (name.empty()) {
    fail(text, "missing repository name");
  }
  for (char c : name) {
    if (std::isupper(static_cast<unsigned char>(c))) {
      fail(text, "repository name must be lowercase");
    }
  }
  size_t start = 0;
  for (;;) {
    size_t next = name.find('/', start);
    std::string_view component =
        name.substr(start, next == std::string_view::npos ? next : next - start);
    if (!is_valid_component(component)) {
      fail(text, "invalid repository name component '" + std::string(component) +
                     "' (lowercase letters and digits, separated by '.', '_', '__' or '-')");
    }
    if (next == std::string_view::npos) {
      break;
    }
    start = next + 1;
  }
  ref.path = name;
  if (ref.domain == k_default_domain && ref.path.find('/') == std::string::npos) {
    ref.path = std::string(k_official_prefix) + ref.path;
  }
  if (ref.domain.size() + 1 + ref.path.size() > k_max_name_length) {
    fail(text, "repository name longer than 255 characters");
  }
  if (ref.tag.empty() && !ref.digest) {
    ref.tag = "latest";
  }
  return ref;
}

std::optional<Reference> try_parse_reference(std::string_view text) {
  try {
    return parse_reference(text);
  } catch (const core::InputError&) {
    return std::nullopt;
  }
}

std::string Reference::repository() const {
  return domain + "/" + path;
}

std::string Reference::str() const {
  std::string out = repository();
  if (!tag.empty()) {
    out += ":" + tag;
  }
  if (digest) {
    out += "@" + digest->str();
  }
  return out;
}

std::string Reference::familiar() const {
  std::string name;
  if (domain == k_default_domain) {
    std::string_view p = path;
    if (p.substr(0, k_official_prefix.size()) == k_official_prefix &&
        p.find('/', k_official_prefix.size()) == std::string_view::npos) {
      p.remove_prefix(k_official_prefix.size());
    }
    name = p;
  } else {
    name = repository();
  }
  if (!tag.empty()) {
    name += ":" + tag;
  }
  if (digest) {
    name += "@" + digest->str();
  }
  return name;
}

} // namespace registry
