#include "builder/run_mounts.h"

#include "builder/cache_mounts.h"
#include "builder/layer_diff.h"
#include "core/error.h"
#include "dockerfile-parser/dockerignore.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>

namespace builder {

namespace fs = std::filesystem;

namespace {

/// Keys each type takes, aliases included; BuildKit ignores the others, we
/// name them (a typo such as `type=tmpfs,id=x` would otherwise pass unseen).
const std::set<std::string>& keys_of(const std::string& type) {
  static const std::set<std::string> target = {"type", "target", "dst", "destination"};
  auto with = [](std::initializer_list<const char*> more) {
    std::set<std::string> out = target;
    out.insert(more.begin(), more.end());
    return out;
  };
  static const std::set<std::string> bind =
      with({"from", "source", "src", "readonly", "ro", "readwrite", "rw"});
  static const std::set<std::string> cache =
      with({"id", "sharing", "from", "source", "src", "mode", "uid", "gid", "readonly", "ro",
            "readwrite", "rw"});
  static const std::set<std::string> tmpfs = with({"size", "readonly", "ro", "readwrite", "rw"});
  static const std::set<std::string> secret =
      with({"id", "source", "src", "required", "mode", "uid", "gid", "env", "readonly", "ro"});
  static const std::set<std::string> ssh =
      with({"id", "required", "mode", "uid", "gid", "readonly", "ro"});
  static const std::set<std::string> none;
  if (type == "bind") {
    return bind;
  }
  if (type == "cache") {
    return cache;
  }
  if (type == "tmpfs") {
    return tmpfs;
  }
  if (type == "secret") {
    return secret;
  }
  return type == "ssh" ? ssh : none;
}

std::string lower(std::string text) {
  for (char& c : text) {
    c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  return text;
}

/// The first key of `value` that `type` does not take, or "".
std::string unsupported_key(const std::string& value, const std::string& type) {
  if (value.find('"') != std::string::npos) {
    return {}; // quoted CSV: the parser checks it
  }
  size_t pos = 0;
  while (pos <= value.size()) {
    size_t comma = value.find(',', pos);
    std::string field = value.substr(pos, comma == std::string::npos ? comma : comma - pos);
    std::string key = lower(field.substr(0, field.find('=')));
    if (!key.empty() && keys_of(type).count(key) == 0) {
      return key;
    }
    if (comma == std::string::npos) {
      break;
    }
    pos = comma + 1;
  }
  return {};
}

std::string absolute_target(const std::string& target, const std::string& workdir) {
  if (target.empty()) {
    return target;
  }
  std::string base = workdir.empty() ? "/" : workdir;
  return dockerfile::clean_path(target.starts_with("/") ? target : base + "/" + target);
}

void fill_defaults(dockerfile::Mount& m, size_t ssh_index, const std::string& workdir) {
  m.target = absolute_target(m.target, workdir);
  if (m.type == "secret") {
    if (m.cache_id.empty()) {
      m.cache_id = !m.source.empty() ? m.source : fs::path(m.target).filename().string();
    }
    if (m.target.empty() && !m.env) {
      m.target = "/run/secrets/" + m.cache_id;
    }
  } else if (m.type == "ssh") {
    if (m.cache_id.empty()) {
      m.cache_id = "default";
    }
    if (m.target.empty()) {
      m.target = "/run/buildkit/ssh_agent." + std::to_string(ssh_index);
    }
  } else if (m.type == "cache" && m.cache_id.empty()) {
    m.cache_id = m.target;
  }
}

} // namespace

std::string accepted_mount_keys(const std::string& type) {
  return dockerfile::accepted_mount_keys(type);
}

std::vector<PreparedMount> parse_run_mounts(const std::vector<std::string>& values,
                                            const std::string& workdir, const std::string& where) {
  std::vector<PreparedMount> out;
  size_t ssh_count = 0;
  for (const std::string& value : values) {
    std::string prefix = where + ": RUN --mount=" + value + ": ";
    std::string type = dockerfile::mount_type_of(value);
    std::string keys = accepted_mount_keys(type);
    if (std::string key = keys.empty() ? "" : unsupported_key(value, type); !key.empty()) {
      throw core::InputError(prefix + "unsupported option '" + key + "' for type=" + type +
                             " (accepted: " + keys + ")");
    }
    std::string error;
    std::optional<dockerfile::Mount> mount = dockerfile::parse_mount(value, error);
    if (!mount) {
      throw core::InputError(prefix + error + (keys.empty() ? "" : " (accepted: " + keys + ")"));
    }
    if (mount->target.empty() && (type == "bind" || type == "cache" || type == "tmpfs")) {
      throw core::InputError(prefix + "a " + type + " mount needs target=PATH");
    }
    fill_defaults(*mount, type == "ssh" ? ssh_count++ : 0, workdir);
    if (mount->target == "/") {
      throw core::InputError(prefix + "cannot mount over /");
    }
    out.push_back({.mount = std::move(*mount),
                   .text = value,
                   .from_key = {},
                   .from_layers = {},
                   .from_diff_ids = {}});
  }
  return out;
}

MountSession::MountSession(const std::vector<PreparedMount>& mounts,
                           const std::vector<fs::path>& lowers, const MountHost& host,
                           const std::string& where)
    : m_lowers(lowers), m_host(host), m_where(where) {
  size_t ssh_index = 0;
  for (const PreparedMount& m : mounts) {
    const std::string& type = m.mount.type;
    if (type == "secret") {
      add_secret(m);
    } else if (type == "ssh") {
      add_ssh(m, ssh_index++);
    } else if (type == "cache") {
      add_cache(m);
    } else if (type == "tmpfs") {
      add_tmpfs(m);
    } else {
      add_bind(m);
    }
  }
}

MountSession::~MountSession() = default;

void MountSession::add_target(const std::string& target, sandbox::MountSpec spec) {
  ResolvedPath resolved = resolve_in_layers(m_lowers, target);
  spec.target = resolved.str();
  m_targets.push_back(std::move(resolved));
  m_mounts.push_back(std::move(spec));
}

namespace {

constexpr const char* k_secret_prefix = "cbuild-secrets-";

/// Removes secret dirs under `parent` whose cbuild (the pid in the name) is
/// gone: a build killed with SIGKILL cannot remove its own.
void remove_stale_secret_dirs(const fs::path& parent) {
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(parent, ec)) {
    std::string name = entry.path().filename().string();
    if (!name.starts_with(k_secret_prefix)) {
      continue;
    }
    long pid = std::strtol(name.c_str() + std::strlen(k_secret_prefix), nullptr, 10);
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
      fs::remove_all(entry.path(), ec);
    }
  }
}

} // namespace

const fs::path& MountSession::secret_dir() {
  if (!m_secret_dir) {
    // A tmpfs keeps secret bytes off the disk; mkdtemp makes the dir 0700.
    struct stat st {};
    bool shm =
        ::stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && ::access("/dev/shm", W_OK) == 0;
    fs::path parent = shm ? fs::path("/dev/shm") : fs::temp_directory_path();
    remove_stale_secret_dirs(parent);
    std::string prefix = k_secret_prefix + std::to_string(::getpid()) + "-";
    m_secret_dir = std::make_unique<core::TempDir>(parent, prefix.c_str());
  }
  return m_secret_dir->path();
}

void MountSession::add_secret(const PreparedMount& m) {
  const dockerfile::Mount& mount = m.mount;
  std::optional<std::string> value = m_host.secrets->read(mount.cache_id);
  if (!value) {
    if (!mount.required) {
      return; // BuildKit skips an optional secret that was not given
    }
    std::vector<std::string> ids = m_host.secrets->secret_ids();
    std::string given;
    for (const std::string& id : ids) {
      given += (given.empty() ? "" : ", ") + id;
    }
    throw core::InputError(m_where + ": secret '" + mount.cache_id +
                           "' is required but was not given (pass --secret id=" + mount.cache_id +
                           ",src=FILE or --secret id=" + mount.cache_id +
                           ",env=VAR; secrets given: " + (given.empty() ? "none" : given) + ")");
  }
  m_secret_values.push_back(*value);
  if (mount.env) {
    m_env.push_back(*mount.env + "=" + *value);
  }
  if (mount.target.empty()) {
    return;
  }
  fs::path file = secret_dir() / std::to_string(m_mounts.size());
  core::UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd) {
    core::throw_errno("create secret file for", mount.cache_id);
  }
  for (size_t done = 0; done < value->size();) {
    ssize_t n = ::write(fd.get(), value->data() + done, value->size() - done);
    if (n < 0) {
      core::throw_errno("write secret file for", mount.cache_id);
    }
    done += static_cast<size_t>(n);
  }
  ::fchmod(fd.get(), mount.mode.value_or(0400));
  if (::fchown(fd.get(), mount.uid.value_or(0), mount.gid.value_or(0)) != 0 && ::geteuid() == 0) {
    core::throw_errno("set the owner of the secret file for", mount.cache_id);
  }
  add_target(mount.target, {.type = sandbox::MountType::bind,
                            .source = file,
                            .target = {},
                            .read_only = true,
                            .options = {}});
}

void MountSession::add_ssh(const PreparedMount& m, size_t index) {
  const dockerfile::Mount& mount = m.mount;
  std::optional<fs::path> socket = m_host.secrets->ssh_socket(mount.cache_id);
  if (!socket) {
    if (!mount.required) {
      return;
    }
    throw core::InputError(m_where + ": ssh agent '" + mount.cache_id +
                           "' is required but was not given (pass --ssh " + mount.cache_id +
                           "=$SSH_AUTH_SOCK)");
  }
  bool has_sock_env = std::any_of(m_env.begin(), m_env.end(), [](const std::string& e) {
    return e.starts_with("SSH_AUTH_SOCK=");
  });
  if (index == 0 && !has_sock_env) {
    m_env.push_back("SSH_AUTH_SOCK=" + mount.target);
  }
  add_target(mount.target, {.type = sandbox::MountType::bind,
                            .source = *socket,
                            .target = {},
                            .read_only = false,
                            .options = {}});
}

void MountSession::add_tmpfs(const PreparedMount& m) {
  std::string options = "mode=1777";
  if (m.mount.size_limit > 0) {
    options += ",size=" + std::to_string(m.mount.size_limit);
  }
  add_target(m.mount.target, {.type = sandbox::MountType::tmpfs,
                              .source = {},
                              .target = {},
                              .read_only = m.mount.read_only,
                              .options = options});
}

namespace {

/// `root`/`path` with symlinks resolved inside `root`; throws when absent.
fs::path existing_path_in(const fs::path& root, const std::string& path, const std::string& what) {
  ResolvedPath resolved = resolve_in_layers({root}, path.empty() ? "/" : path);
  if (resolved.existing < resolved.parts.size()) {
    throw core::InputError(what + ": '" + path + "' does not exist");
  }
  return resolved.parts.empty() ? root : root / resolved.str().substr(1);
}

void copy_tree(const fs::path& from, const fs::path& to) {
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
}

std::string from_name(const PreparedMount& m) {
  return m.mount.from.empty() ? "the build context" : "'" + m.mount.from + "'";
}

} // namespace

void MountSession::add_cache(const PreparedMount& m) {
  const dockerfile::Mount& mount = m.mount;
  fs::create_directories(m_host.cache_root);
  fs::path dir = cache_mount_dir(m_host.cache_root, mount.cache_id);
  if (!fs::exists(dir)) {
    // Filled next to its place and renamed: a killed build leaves no half cache.
    core::TempDir fresh(m_host.scratch_dir, "cache-mount-");
    fs::path tree = fresh.path() / "dir";
    if (!mount.from.empty()) {
      fs::path source = existing_path_in(m_host.source_root(m), mount.source,
                                         m_where + ": cache mount source in " + from_name(m));
      copy_tree(source, tree);
    } else {
      fs::create_directory(tree);
    }
    ::chmod(tree.c_str(), mount.mode.value_or(0755));
    if (::lchown(tree.c_str(), mount.uid.value_or(0), mount.gid.value_or(0)) != 0 &&
        ::geteuid() == 0) {
      core::throw_errno("set the owner of cache mount", tree.string());
    }
    // NOREPLACE: a build that created it meanwhile may be using it already.
    if (::renameat2(AT_FDCWD, tree.c_str(), AT_FDCWD, dir.c_str(), RENAME_NOREPLACE) != 0 &&
        errno != EEXIST) {
      core::throw_errno("create cache mount", dir.string());
    }
  }
  std::optional<core::UniqueFd> lock = lock_cache_dir(dir, parse_cache_sharing(mount.sharing));
  if (lock) {
    m_locks.push_back(std::move(*lock));
  } else {
    // sharing=private and another RUN holds it: this one starts empty.
    m_copies.emplace_back(m_host.scratch_dir, "cache-private-");
    dir = m_copies.back().path();
    ::chmod(dir.c_str(), mount.mode.value_or(0755));
    [[maybe_unused]] int rc = ::chown(dir.c_str(), mount.uid.value_or(0), mount.gid.value_or(0));
  }
  add_target(mount.target, {.type = sandbox::MountType::bind,
                            .source = dir,
                            .target = {},
                            .read_only = mount.read_only,
                            .options = {}});
}

void MountSession::add_bind(const PreparedMount& m) {
  const dockerfile::Mount& mount = m.mount;
  fs::path source = existing_path_in(m_host.source_root(m), mount.source,
                                     m_where + ": bind mount source in " + from_name(m));
  if (!mount.read_only) {
    // rw: the command may write, but its changes are thrown away.
    m_copies.emplace_back(m_host.scratch_dir, "bind-rw-");
    fs::path copy = m_copies.back().path() / "data";
    copy_tree(source, copy);
    source = copy;
  }
  add_target(mount.target, {.type = sandbox::MountType::bind,
                            .source = source,
                            .target = {},
                            .read_only = mount.read_only,
                            .options = {}});
}

void MountSession::remove_mount_stubs(const fs::path& upper) const {
  std::map<std::string, bool> paths; // rel -> created by the sandbox
  for (const ResolvedPath& target : m_targets) {
    for (size_t i = 1; i <= target.parts.size(); ++i) {
      bool stub = i > target.existing;
      auto [it, added] = paths.emplace(target.prefix(i).substr(1), stub);
      it->second = it->second && stub;
    }
  }
  std::vector<std::pair<size_t, std::string>> ordered;
  for (const auto& [rel, stub] : paths) {
    ordered.emplace_back(std::count(rel.begin(), rel.end(), '/'), rel);
  }
  // Deepest first, so that a removed child can leave its parent empty.
  std::sort(ordered.begin(), ordered.end(), std::greater<>());
  for (const auto& [depth, rel] : ordered) {
    fs::path path = upper / rel;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
      continue;
    }
    bool stub = paths.at(rel);
    bool remove = stub ? (S_ISDIR(st.st_mode) && fs::is_empty(path)) ||
                             (S_ISREG(st.st_mode) && st.st_size == 0)
                       : is_copy_up_only(path, st, rel, m_lowers);
    if (remove && ::remove(path.c_str()) != 0) {
      core::throw_errno("remove mountpoint", path.string());
    }
  }
}

} // namespace builder
