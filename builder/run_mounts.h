#pragma once

#include "builder/layered_path.h"
#include "builder/sandbox/sandbox_spec.h"
#include "builder/secrets.h"
#include "core/oci_types.h"
#include "core/temp_dir.h"
#include "core/unique_fd.h"
#include "dockerfile-parser/instructions.h"

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace builder {

/// One RUN --mount, checked, with BuildKit's defaults filled in, and with
/// what its content depends on (for bind and cache mounts with `from`).
struct PreparedMount {
  dockerfile::Mount mount; ///< target absolute; cache_id set for cache, secret, ssh
  std::string text;        ///< the --mount value as written, for messages
  /// bind/cache `from` a stage or an image: the key naming its file system
  /// (a stage's cache key, or NAME@manifest digest); "" = the build context
  /// for bind, nothing for cache.
  std::string from_key;
  std::vector<core::Descriptor> from_layers; ///< that stage's or image's layers
  std::vector<core::Digest> from_diff_ids;   ///< and their diff_ids
};

/// The keys `--mount=type=TYPE,...` accepts, as one line for messages.
std::string accepted_mount_keys(const std::string& type);

/// Parses RUN's --mount values (already expanded), checks each key against
/// its type and fills in the defaults: secret target /run/secrets/<id>, ssh
/// id "default" and target /run/buildkit/ssh_agent.<n>, cache id = target.
/// Relative targets are taken from `workdir`. `where` ("Dockerfile:7") starts
/// every message. Throws core::InputError naming the option and the accepted ones.
std::vector<PreparedMount> parse_run_mounts(const std::vector<std::string>& values,
                                            const std::string& workdir, const std::string& where);

/// What a MountSession needs from the build.
struct MountHost {
  const BuildSecrets* secrets = nullptr;
  std::filesystem::path cache_root;  ///< <store root>/cache-mounts
  std::filesystem::path scratch_dir; ///< temp dirs on the store's file system
  /// The directory holding a bind or cache mount's `from` file system (the
  /// filtered build context when from_key is empty). Owned by the caller.
  std::function<std::filesystem::path(const PreparedMount&)> source_root;
};

/// The host side of one RUN's mounts, alive while the command runs: secret
/// files in a private 0700 directory on a tmpfs (/dev/shm when available),
/// cache directories held under their sharing lock, writable copies for
/// `bind,rw`. Everything is removed or released on destruction.
class MountSession {
public:
  /// Sets up every mount of `mounts` over the image whose layers are
  /// `lowers` (topmost first). Throws core::InputError for a required secret
  /// or ssh agent that was not given, core::Error for I/O failures.
  MountSession(const std::vector<PreparedMount>& mounts,
               const std::vector<std::filesystem::path>& lowers, const MountHost& host,
               const std::string& where);
  ~MountSession();
  MountSession(const MountSession&) = delete;
  MountSession& operator=(const MountSession&) = delete;

  /// The sandbox mounts, in the order of the --mount flags.
  const std::vector<sandbox::MountSpec>& mounts() const { return m_mounts; }
  /// "NAME=value" for secrets with env=, SSH_AUTH_SOCK for the first ssh mount.
  const std::vector<std::string>& env() const { return m_env; }
  /// The secret values in use, for masking command output.
  const std::vector<std::string>& secret_values() const { return m_secret_values; }

  /// Removes from `upper` what only the mounts put there: mountpoint
  /// directories and empty files the sandbox created for a target, and
  /// directories overlay copied up for them that are otherwise unchanged.
  /// Anything the command wrote stays.
  void remove_mount_stubs(const std::filesystem::path& upper) const;

private:
  void add_secret(const PreparedMount& m);
  void add_ssh(const PreparedMount& m, size_t index);
  void add_cache(const PreparedMount& m);
  void add_bind(const PreparedMount& m);
  void add_tmpfs(const PreparedMount& m);
  void add_target(const std::string& target, sandbox::MountSpec spec);
  const std::filesystem::path& secret_dir();

  const std::vector<std::filesystem::path>& m_lowers;
  const MountHost& m_host;
  std::string m_where;
  std::vector<sandbox::MountSpec> m_mounts;
  std::vector<std::string> m_env;
  std::vector<std::string> m_secret_values;
  std::vector<ResolvedPath> m_targets;
  std::unique_ptr<core::TempDir> m_secret_dir;
  std::vector<core::TempDir> m_copies;
  std::vector<core::UniqueFd> m_locks;
};

} // namespace builder
