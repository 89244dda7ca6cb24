#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace builder {

/// Where one `--secret` comes from. Only `id` ever enters a cache key, a
/// message or a record; the content is read when a RUN mounts it.
struct SecretSource {
  std::string id;
  std::filesystem::path file; ///< a file on the host (type=file)
  std::string env;            ///< or an environment variable of cbuild (type=env)
};

/// One `--ssh ID=SOCKET`: an ssh agent socket RUN --mount=type=ssh forwards.
struct SshSource {
  std::string id = "default";
  std::filesystem::path socket;
};

/// Parses `--secret` as docker buildx does: `id=ID,src=FILE` (also `source`),
/// `id=ID,env=VAR`, `type=file|env`. Without src and env, the id names an
/// environment variable when one is set, else a file. `id` defaults to the
/// env name or the file's base name. Throws core::InputError.
SecretSource parse_secret_flag(const std::string& text);

/// Parses `--ssh default`, `--ssh default=SOCKET`, `--ssh ID=SOCKET`; a
/// missing socket path means $SSH_AUTH_SOCK. Throws core::InputError when no
/// socket is found or the path is not a socket.
SshSource parse_ssh_flag(const std::string& text);

/// The secrets and ssh agents a build was given, by id.
class BuildSecrets {
public:
  /// Adds a source; a second one with the same id replaces the first.
  void add(SecretSource source);
  void add(SshSource source);

  bool has_secret(const std::string& id) const { return m_secrets.count(id) != 0; }

  /// The secret's bytes, or nullopt when no --secret has this id (or its env
  /// var is unset). Throws core::InputError naming the id and the file when
  /// the file cannot be read; the message never contains the content.
  std::optional<std::string> read(const std::string& id) const;

  /// The agent socket for `id`, or nullopt.
  std::optional<std::filesystem::path> ssh_socket(const std::string& id) const;

  /// The ids given, sorted (for messages).
  std::vector<std::string> secret_ids() const;
  std::vector<std::string> ssh_ids() const;

private:
  std::map<std::string, SecretSource> m_secrets;
  std::map<std::string, SshSource> m_ssh;
};

/// Replaces every occurrence of a secret's value (and of each of its lines
/// of 6 bytes or more) in `text` with "****": RUN output shown in progress and
/// in error messages never repeats a mounted secret.
std::string mask_secrets(std::string text, const std::vector<std::string>& values);

} // namespace builder
