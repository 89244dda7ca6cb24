#pragma once

#include "builder/sandbox/capabilities.h"
#include "builder/sandbox/cgroups.h"
#include "builder/sandbox/seccomp.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace builder::sandbox {

/// One line of /proc/<pid>/uid_map or gid_map.
struct IdMap {
  std::uint32_t inside = 0;  ///< first id in the sandbox
  std::uint32_t outside = 0; ///< first id on the host
  std::uint32_t count = 1;
};

/// Which namespaces the sandbox gets. The network namespace follows NetworkMode.
struct Namespaces {
  bool user = false; ///< on when not root (set by default_spec); optional as root
  bool mount = true; ///< always needed: every mount is private to the sandbox
  bool pid = true;
  bool uts = true;
  bool ipc = true;
  bool cgroup = true;
};

enum class NetworkMode {
  host, ///< share the host's network (default for builds: RUN can reach mirrors)
  none, ///< an own network namespace with only `lo`, up
};

/// The root filesystem. With `lower_dirs`, an overlay is mounted: the lower
/// dirs (top first) stay untouched and every change lands in `upper_dir`, the
/// directory the build engine turns into a layer. With only `directory`, that
/// directory itself is the root and is changed in place (for file systems
/// where overlay cannot be used).
struct Rootfs {
  std::vector<std::filesystem::path> lower_dirs; ///< read-only layers, topmost first
  std::filesystem::path upper_dir;               ///< writable layer (overlay upperdir)
  std::filesystem::path work_dir;  ///< overlay workdir: empty, on upper_dir's file system
  std::filesystem::path directory; ///< used instead of an overlay when lower_dirs is empty
  bool read_only = false;          ///< the root is mounted read-only
};

enum class MountType { bind, tmpfs };

/// An extra mount (`-v HOST:CTR[:ro]`, `RUN --mount=type=bind|tmpfs`).
struct MountSpec {
  MountType type = MountType::bind;
  std::filesystem::path source; ///< host path for bind; unused for tmpfs
  std::string target;           ///< absolute path inside the sandbox
  bool read_only = false;
  std::string options; ///< tmpfs data, e.g. "size=64m,mode=1777"
};

/// How the seccomp filter is chosen.
struct SeccompSetting {
  enum class Mode { docker_default, unconfined, profile } mode = Mode::docker_default;
  std::optional<SeccompProfile> profile; ///< for Mode::profile
  std::filesystem::path profile_file;    ///< where it came from, for messages
};

/// Everything that describes one sandboxed process, computed before anything
/// is touched. `to_json()` prints it; `run_sandbox()` applies it.
struct SandboxSpec {
  Rootfs rootfs;
  std::vector<MountSpec> mounts; ///< after /proc, /dev, /sys, in order
  std::vector<std::string> argv; ///< argv[0] is looked up in the sandbox's PATH
  std::vector<std::string> env;  ///< "KEY=value"
  std::string cwd = "/";         ///< created if missing, as Docker does
  std::string user;              ///< "name|uid[:group|gid]" from the rootfs; empty = root
  std::string hostname = "cbuild";
  Namespaces namespaces;
  NetworkMode network = NetworkMode::host;
  std::vector<IdMap> uid_map; ///< with namespaces.user; empty = caller -> 0
  std::vector<IdMap> gid_map;
  CapSet capabilities;     ///< bounding, effective, permitted (inheritable stays empty)
  bool privileged = false; ///< no masked paths, /sys writable, no no_new_privs
  bool no_new_privileges = true;
  SeccompSetting seccomp;
  CgroupLimits limits;
  bool tty = false; ///< stdin/stdout/stderr are a new pseudo-terminal
};

/// A spec with Docker's defaults: the default capability set, the default
/// seccomp profile, a user namespace when not root, host network.
SandboxSpec default_spec();

/// The spec as JSON (for `cbuild run --print-spec` and tests).
std::string to_json(const SandboxSpec& spec);

/// Parses "256m", "1g", "1048576" (bytes) like Docker's --memory; nullopt if malformed.
std::optional<std::int64_t> parse_memory_size(const std::string& text);

} // namespace builder::sandbox
