#include "registry/auth.h"

#include "core/error.h"
#include "core/file_util.h"
#include "core/stream.h"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <sys/stat.h>

#include <cctype>
#include <cstdlib>

namespace registry {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view k_docker_hub_key = "https://index.docker.io/v1/";

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

/// A cursor over a header value.
struct Scanner {
  std::string_view text;
  size_t pos = 0;

  bool done() const { return pos >= text.size(); }
  char peek() const { return done() ? '\0' : text[pos]; }
  void skip_space() {
    while (!done() && (text[pos] == ' ' || text[pos] == '\t')) {
      ++pos;
    }
  }
  std::string token() {
    size_t start = pos;
    while (!done() && is_token_char(text[pos])) {
      ++pos;
    }
    return std::string(text.substr(start, pos - start));
  }
  std::string quoted() { // at the opening quote
    std::string out;
    for (++pos; !done() && text[pos] != '"'; ++pos) {
      if (text[pos] == '\\' && pos + 1 < text.size()) {
        ++pos;
      }
      out += text[pos];
    }
    if (!done()) {
      ++pos; // closing quote
    }
    return out;
  }
  std::string bare_value() { // unquoted: lenient, up to a comma or blank
    size_t start = pos;
    while (!done() && text[pos] != ',' && text[pos] != ' ' && text[pos] != '\t') {
      ++pos;
    }
    return std::string(text.substr(start, pos - start));
  }
};

std::string percent_encode(std::string_view s) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += k_hex[c >> 4];
      out += k_hex[c & 15];
    }
  }
  return out;
}

std::vector<std::string> lookup_keys(std::string_view host) {
  std::string h(host);
  if (h == "docker.io" || h == "index.docker.io" || h == "registry-1.docker.io") {
    return {std::string(k_docker_hub_key), "docker.io", "index.docker.io", "registry-1.docker.io"};
  }
  return {h,
          "https://" + h,
          "http://" + h,
          "https://" + h + "/v1/",
          "http://" + h + "/v1/",
          "https://" + h + "/v2/"};
}

nlohmann::json read_config(const fs::path& path) {
  if (!fs::exists(path)) {
    return nlohmann::json::object();
  }
  core::FdInputStream in = core::FdInputStream::open(path);
  std::string text = core::read_all(in, path.string(), 4 << 20);
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    throw core::InputError(path.string() + ": not a JSON object; fix or remove the file");
  }
  return doc;
}

void write_config(const fs::path& path, const nlohmann::json& doc) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) {
    throw core::Error("create directory '" + path.parent_path().string() + "': " + ec.message());
  }
  // The file holds passwords: create it private, before any byte is written.
  mode_t old_mask = ::umask(077);
  try {
    core::write_file_atomic(path, doc.dump(1, '\t') + "\n");
  } catch (...) {
    ::umask(old_mask);
    throw;
  }
  ::umask(old_mask);
  ::chmod(path.c_str(), 0600);
}

} // namespace

std::string Challenge::param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

std::vector<Challenge> parse_challenges(std::string_view header) {
  std::vector<Challenge> out;
  Scanner s{header};
  while (true) {
    s.skip_space();
    while (s.peek() == ',') {
      ++s.pos;
      s.skip_space();
    }
    if (s.done()) {
      break;
    }
    std::string scheme = s.token();
    if (scheme.empty()) {
      ++s.pos; // junk: skip a character and try again
      continue;
    }
    Challenge challenge{lower(scheme), {}};
    // Parameters: name=value pairs separated by commas, until a token that is
    // not followed by '=' (the next challenge's scheme).
    while (true) {
      s.skip_space();
      size_t mark = s.pos;
      std::string name = s.token();
      s.skip_space();
      if (name.empty() || s.peek() != '=') {
        s.pos = mark;
        break;
      }
      ++s.pos;
      s.skip_space();
      challenge.params[lower(name)] = s.peek() == '"' ? s.quoted() : s.bare_value();
      s.skip_space();
      if (s.peek() == ',') {
        ++s.pos;
      }
    }
    out.push_back(std::move(challenge));
  }
  return out;
}

BearerToken parse_token_response(std::string_view body, std::string_view realm) {
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  BearerToken token;
  if (doc.is_object()) {
    for (const char* key : {"token", "access_token"}) {
      if (doc.contains(key) && doc[key].is_string() && !doc[key].get<std::string>().empty()) {
        token.token = doc[key].get<std::string>();
        break;
      }
    }
    if (doc.contains("expires_in") && doc["expires_in"].is_number_integer()) {
      token.expires_in = std::chrono::seconds(std::max<long>(1, doc["expires_in"].get<long>()));
    }
  }
  if (token.token.empty()) {
    throw core::Error("token server " + std::string(realm) +
                      " answered without a token (expected JSON with 'token')");
  }
  return token;
}

std::string token_url(const Challenge& bearer, const std::vector<std::string>& scopes) {
  std::string url = bearer.param("realm");
  char sep = url.find('?') == std::string::npos ? '?' : '&';
  if (std::string service = bearer.param("service"); !service.empty()) {
    url += sep + std::string("service=") + percent_encode(service);
    sep = '&';
  }
  for (const std::string& scope : scopes) {
    url += sep + std::string("scope=") + percent_encode(scope);
    sep = '&';
  }
  return url;
}

std::string base64_encode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()),
                          static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    return std::nullopt;
  }
  std::string out(3 * (text.size() / 4) + 1, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) {
    return std::nullopt;
  }
  // EVP_DecodeBlock counts the padding as zero bytes: drop them.
  size_t pad = text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

fs::path DockerConfig::default_path() {
  if (const char* dir = std::getenv("DOCKER_CONFIG"); dir && *dir) {
    return fs::path(dir) / "config.json";
  }
  const char* home = std::getenv("HOME");
  return fs::path(home && *home ? home : "/root") / ".docker" / "config.json";
}

DockerConfig::DockerConfig(fs::path path) : m_path(std::move(path)) {}

std::string config_key(std::string_view registry_host) {
  return lookup_keys(registry_host).front();
}

std::optional<Credentials> DockerConfig::find(std::string_view registry_host) const {
  nlohmann::json doc = read_config(m_path);
  if (!doc.contains("auths") || !doc["auths"].is_object()) {
    return std::nullopt;
  }
  const nlohmann::json& auths = doc["auths"];
  for (const std::string& key : lookup_keys(registry_host)) {
    if (!auths.contains(key) || !auths[key].is_object()) {
      continue;
    }
    const nlohmann::json& entry = auths[key];
    if (entry.contains("identitytoken") && entry["identitytoken"].is_string()) {
      return Credentials{"<token>", entry["identitytoken"].get<std::string>()};
    }
    if (!entry.contains("auth") || !entry["auth"].is_string()) {
      continue;
    }
    std::optional<std::string> decoded = base64_decode(entry["auth"].get<std::string>());
    size_t colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon == std::string::npos) {
      throw core::InputError(m_path.string() + ": auths[\"" + key +
                             "\"].auth is not base64 of 'user:password'; run 'cbuild login " +
                             std::string(registry_host) + "' again");
    }
    return Credentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
  }
  return std::nullopt;
}

void DockerConfig::store(std::string_view registry_host, const Credentials& credentials) const {
  nlohmann::json doc = read_config(m_path);
  if (!doc.contains("auths") || !doc["auths"].is_object()) {
    doc["auths"] = nlohmann::json::object();
  }
  doc["auths"][config_key(registry_host)] = {
      {"auth", base64_encode(credentials.username + ":" + credentials.password)}};
  write_config(m_path, doc);
}

bool DockerConfig::erase(std::string_view registry_host) const {
  nlohmann::json doc = read_config(m_path);
  if (!doc.contains("auths") || !doc["auths"].is_object()) {
    return false;
  }
  bool erased = false;
  for (const std::string& key : lookup_keys(registry_host)) {
    erased = doc["auths"].erase(key) > 0 || erased;
  }
  if (erased) {
    write_config(m_path, doc);
  }
  return erased;
}

} // namespace registry
