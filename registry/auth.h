#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace registry {

/// One challenge of a WWW-Authenticate header (RFC 7235): `Bearer
/// realm="…",service="…",scope="…"` or `Basic realm="…"`.
struct Challenge {
  std::string scheme;                        ///< lower case: "bearer", "basic"
  std::map<std::string, std::string> params; ///< lower-cased names, unquoted values

  /// The parameter `name`, or "" when absent.
  std::string param(const std::string& name) const;
};

/// Parses every challenge in a WWW-Authenticate value. Quoted values may hold
/// commas and backslash escapes. Malformed pieces are skipped, never thrown.
std::vector<Challenge> parse_challenges(std::string_view header);

/// A user name and password (or identity token) for one registry.
struct Credentials {
  std::string username;
  std::string password;

  friend bool operator==(const Credentials&, const Credentials&) = default;
};

/// A token from a token server (distribution's docs/spec/auth/token.md).
struct BearerToken {
  std::string token;
  std::chrono::seconds expires_in{60}; ///< 60 s when the server does not say
};

/// Parses a token server's JSON reply (`token` or `access_token`,
/// `expires_in`). Throws core::Error naming `realm` when neither token is there.
BearerToken parse_token_response(std::string_view body, std::string_view realm);

/// The URL of a token request: realm?service=…&scope=…&scope=… (escaped).
std::string token_url(const Challenge& bearer, const std::vector<std::string>& scopes);

std::string base64_encode(std::string_view data);
/// nullopt when `text` is not valid base64.
std::optional<std::string> base64_decode(std::string_view text);

/// Docker's client configuration file: $DOCKER_CONFIG/config.json, else
/// ~/.docker/config.json. Only its `auths` map is read and written here;
/// every other member is kept as it was.
class DockerConfig {
public:
  /// The file cbuild reads and writes.
  static std::filesystem::path default_path();

  explicit DockerConfig(std::filesystem::path path);

  const std::filesystem::path& path() const noexcept { return m_path; }

  /// Credentials for `registry_host` ("localhost:5000", "docker.io"), looked up
  /// under the keys Docker writes ("host", "https://host", "http://host",
  /// "https://index.docker.io/v1/" for Docker Hub). nullopt when none. Throws
  /// core::InputError for an unreadable file or a malformed `auth` entry.
  std::optional<Credentials> find(std::string_view registry_host) const;

  /// Stores credentials as `auths[<key>].auth = base64(user:password)`,
  /// writing the file atomically with mode 0600.
  void store(std::string_view registry_host, const Credentials& credentials) const;

  /// Removes every entry for the host. False when there was none.
  bool erase(std::string_view registry_host) const;

private:
  std::filesystem::path m_path;
};

/// The `auths` key Docker uses for a registry host.
std::string config_key(std::string_view registry_host);

} // namespace registry
