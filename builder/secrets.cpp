#include "builder/secrets.h"

#include "core/error.h"
#include "core/unique_fd.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace builder {

namespace fs = std::filesystem;

namespace {

/// Splits "k=v,k2=v2" into pairs; a field without '=' has an empty value
/// and `bare` set.
struct Field {
  std::string key;
  std::string value;
  bool bare = false;
};

std::vector<Field> split_fields(const std::string& text) {
  std::vector<Field> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    std::string item = text.substr(pos, comma == std::string::npos ? comma : comma - pos);
    size_t eq = item.find('=');
    if (eq == std::string::npos) {
      out.push_back({item, "", true});
    } else {
      out.push_back({item.substr(0, eq), item.substr(eq + 1), false});
    }
    if (comma == std::string::npos) {
      break;
    }
    pos = comma + 1;
  }
  return out;
}

bool env_is_set(const std::string& name) {
  return std::getenv(name.c_str()) != nullptr;
}

} // namespace

SecretSource parse_secret_flag(const std::string& text) {
  std::string type;
  std::string id;
  std::string src;
  std::string env;
  for (const Field& f : split_fields(text)) {
    if (f.bare || f.value.empty()) {
      throw core::InputError("--secret '" + text + "': '" + f.key +
                             "' needs a value (accepted keys: id, type, src, source, env)");
    }
    if (f.key == "type") {
      if (f.value != "file" && f.value != "env") {
        throw core::InputError("--secret '" + text + "': unsupported type '" + f.value +
                               "' (use type=file or type=env)");
      }
      type = f.value;
    } else if (f.key == "id") {
      id = f.value;
    } else if (f.key == "src" || f.key == "source") {
      src = f.value;
    } else if (f.key == "env") {
      env = f.value;
    } else {
      throw core::InputError("--secret '" + text + "': unknown key '" + f.key +
                             "' (accepted keys: id, type, src, source, env)");
    }
  }
  if (type == "env" && env.empty()) {
    env = src.empty() ? id : src;
    src.clear();
  }
  if (type == "file" && src.empty()) {
    src = id;
  }
  if (src.empty() && env.empty()) {
    if (id.empty()) {
      throw core::InputError("--secret '" + text + "': give id=ID with src=FILE or env=VAR");
    }
    // buildx's rule: a bare id is an environment variable when one is set.
    (env_is_set(id) ? env : src) = id;
  }
  if (id.empty()) {
    id = env.empty() ? fs::path(src).filename().string() : env;
  }
  SecretSource source{.id = id, .file = {}, .env = env};
  if (env.empty()) {
    source.file = fs::absolute(src);
    struct stat st {};
    if (::stat(source.file.c_str(), &st) != 0) {
      throw core::InputError("--secret id=" + id + ": cannot read '" + source.file.string() +
                             "': " + core::errno_message(errno));
    }
    if (!S_ISREG(st.st_mode)) {
      throw core::InputError("--secret id=" + id + ": '" + source.file.string() +
                             "' is not a regular file");
    }
  }
  return source;
}

SshSource parse_ssh_flag(const std::string& text) {
  SshSource source;
  size_t eq = text.find('=');
  source.id = text.substr(0, eq);
  if (source.id.empty()) {
    throw core::InputError("--ssh '" + text + "': expected ID or ID=SOCKET (e.g. default)");
  }
  std::string path = eq == std::string::npos ? "" : text.substr(eq + 1);
  if (path.empty()) {
    const char* agent = std::getenv("SSH_AUTH_SOCK");
    if (agent == nullptr || *agent == '\0') {
      throw core::InputError("--ssh " + source.id +
                             ": no socket given and SSH_AUTH_SOCK is not set (start ssh-agent or "
                             "pass --ssh " +
                             source.id + "=/path/to/agent.sock)");
    }
    path = agent;
  }
  if (path.find(',') != std::string::npos) {
    throw core::InputError("--ssh " + source.id +
                           ": only one agent socket per id is supported (key files are not)");
  }
  source.socket = fs::absolute(path);
  struct stat st {};
  if (::stat(source.socket.c_str(), &st) != 0) {
    throw core::InputError("--ssh " + source.id + ": cannot use '" + source.socket.string() +
                           "': " + core::errno_message(errno));
  }
  if (!S_ISSOCK(st.st_mode)) {
    throw core::InputError("--ssh " + source.id + ": '" + source.socket.string() +
                           "' is not a socket (give an ssh-agent socket, e.g. $SSH_AUTH_SOCK)");
  }
  return source;
}

void BuildSecrets::add(SecretSource source) {
  std::string id = source.id;
  m_secrets[id] = std::move(source);
}

void BuildSecrets::add(SshSource source) {
  std::string id = source.id;
  m_ssh[id] = std::move(source);
}

std::optional<std::string> BuildSecrets::read(const std::string& id) const {
  auto it = m_secrets.find(id);
  if (it == m_secrets.end()) {
    return std::nullopt;
  }
  const SecretSource& source = it->second;
  if (!source.env.empty()) {
    const char* value = std::getenv(source.env.c_str());
    return value ? std::optional<std::string>(value) : std::nullopt;
  }
  core::UniqueFd fd(::open(source.file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    throw core::InputError("secret '" + id + "': cannot read '" + source.file.string() +
                           "': " + core::errno_message(errno));
  }
  std::string data;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      int err = errno;
      throw core::InputError("secret '" + id + "': cannot read '" + source.file.string() +
                             "': " + core::errno_message(err));
    }
    if (n == 0) {
      break;
    }
    data.append(buffer, static_cast<size_t>(n));
  }
  return data;
}

std::optional<fs::path> BuildSecrets::ssh_socket(const std::string& id) const {
  auto it = m_ssh.find(id);
  if (it == m_ssh.end()) {
    return std::nullopt;
  }
  return it->second.socket;
}

std::vector<std::string> BuildSecrets::secret_ids() const {
  std::vector<std::string> ids;
  for (const auto& [id, source] : m_secrets) {
    ids.push_back(id);
  }
  return ids;
}

std::vector<std::string> BuildSecrets::ssh_ids() const {
  std::vector<std::string> ids;
  for (const auto& [id, source] : m_ssh) {
    ids.push_back(id);
  }
  return ids;
}

namespace {

void replace_all(std::string& text, const std::string& needle) {
  for (size_t pos = 0; (pos = text.find(needle, pos)) != std::string::npos;) {
    text.replace(pos, needle.size(), "****");
    pos += 4;
  }
}

} // namespace

std::string mask_secrets(std::string text, const std::vector<std::string>& values) {
  constexpr size_t k_min_line = 6;
  for (const std::string& value : values) {
    if (value.empty()) {
      continue;
    }
    replace_all(text, value);
    size_t pos = 0;
    while (pos < value.size()) {
      size_t nl = value.find('\n', pos);
      std::string line = value.substr(pos, nl == std::string::npos ? nl : nl - pos);
      if (!line.empty() && line.back() == '\r') {
        line.pop_back();
      }
      if (line.size() >= k_min_line) {
        replace_all(text, line);
      }
      if (nl == std::string::npos) {
        break;
      }
      pos = nl + 1;
    }
  }
  return text;
}

} // namespace builder
