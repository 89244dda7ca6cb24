#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace builder::sandbox {

/// Resource limits, as `docker run` takes them. Absent means "no limit".
struct CgroupLimits {
  std::optional<std::int64_t> memory_bytes;  ///< --memory; swap is limited to the same value
  std::optional<std::int64_t> cpu_quota_us;  ///< --cpu-quota, or --cpus x period
  std::optional<std::int64_t> cpu_period_us; ///< --cpu-period (100000 when only a quota is set)
  std::optional<std::int64_t> pids_max;      ///< --pids-limit

  bool empty() const { return !memory_bytes && !cpu_quota_us && !cpu_period_us && !pids_max; }
};

/// One mounted cgroup hierarchy of the host.
struct CgroupHierarchy {
  std::filesystem::path mount_point; ///< /sys/fs/cgroup/memory, or /sys/fs/cgroup for v2
  std::string controllers;           ///< "memory", "cpu,cpuacct"; empty for cgroup2
  bool is_v2 = false;
};

/// How the host mounts cgroups. `unified` is true on a pure cgroup v2 host; on
/// a v1 or hybrid host (v1 controllers plus a v2 mount holding no controllers,
/// as this project's CI machine has) the v1 hierarchies are used.
struct CgroupLayout {
  bool unified = false;
  std::vector<CgroupHierarchy> hierarchies; ///< v1 controllers, or the single v2 root
};

/// Reads /proc/self/mountinfo.
CgroupLayout detect_cgroup_layout();

/// The v1 hierarchy holding `controller`, or the v2 root; nullopt if absent.
std::optional<CgroupHierarchy> find_hierarchy(const CgroupLayout& layout,
                                              const std::string& controller);

/// A cgroup named cbuild-<owner pid>-<n> in every hierarchy the limits need.
/// The destructor kills what is left inside and removes the directories;
/// remove_stale_cgroups() removes those of an owner that was SIGKILLed.
class Cgroup {
public:
  /// Creates the cgroup and writes the limits. Throws core::Error.
  Cgroup(const CgroupLayout& layout, const CgroupLimits& limits);
  Cgroup(const Cgroup&) = delete;
  Cgroup& operator=(const Cgroup&) = delete;
  ~Cgroup();

  /// Moves `pid` into every directory of the cgroup.
  void add_process(pid_t pid) const;

  /// Moves `pid` back to the root of every hierarchy (a process that is
  /// exiting may not be removable otherwise). ESRCH is fine.
  void evict(pid_t pid) const;

  /// How many times the kernel's OOM killer fired inside (0 without a memory limit).
  std::int64_t oom_kill_count() const;

  /// Directories of the cgroup, one per hierarchy.
  const std::vector<std::filesystem::path>& directories() const { return m_dirs; }

  /// The hierarchies it lives in (what the sandbox mounts at /sys/fs/cgroup).
  const std::vector<CgroupHierarchy>& hierarchies() const { return m_hierarchies; }

  /// "cbuild-<pid>-<n>".
  const std::string& name() const { return m_name; }

private:
  std::string m_name;
  std::vector<CgroupHierarchy> m_hierarchies;
  std::vector<std::filesystem::path> m_dirs;
  std::optional<std::filesystem::path> m_memory_dir;
  bool m_unified = false;
};

/// Removes cbuild-<pid>-* cgroups whose owner process no longer exists,
/// killing any process still inside. Returns how many were removed.
int remove_stale_cgroups(const CgroupLayout& layout);

/// Kills every process in `dir` and removes it; false if it stayed busy.
bool remove_cgroup_dir(const std::filesystem::path& dir);

} // namespace builder::sandbox
