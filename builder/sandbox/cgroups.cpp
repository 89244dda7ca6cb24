#include "builder/sandbox/cgroups.h"

#include "core/error.h"
#include "core/unique_fd.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <thread>

namespace builder::sandbox {
namespace fs = std::filesystem;
namespace {

std::atomic<int> g_counter{0};

void write_file(const fs::path& file, const std::string& value) {
  core::UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) {
    core::throw_errno("cgroup: open", file.string());
  }
  if (::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size())) {
    core::throw_errno("cgroup: write " + value + " to", file.string());
  }
}

// Reads "key value" lines (memory.events, memory.oom_control) and returns value.
std::int64_t read_keyed(const fs::path& file, const std::string& key) {
  std::ifstream in(file);
  std::string name;
  std::int64_t value = 0;
  while (in >> name >> value) {
    if (name == key) {
      return value;
    }
  }
  return 0;
}

bool is_cbuild_name(const std::string& name, pid_t& owner) {
  if (name.rfind("cbuild-", 0) != 0) {
    return false;
  }
  char* end = nullptr;
  long pid = std::strtol(name.c_str() + 7, &end, 10);
  if (pid <= 0 || end == nullptr || *end != '-') {
    return false;
  }
  owner = static_cast<pid_t>(pid);
  return true;
}

bool process_exists(pid_t pid) {
  return ::kill(pid, 0) == 0 || errno != ESRCH;
}

void kill_members(const fs::path& dir) {
  std::ifstream procs(dir / "cgroup.procs");
  for (pid_t pid = 0; procs >> pid;) {
    ::kill(pid, SIGKILL);
  }
}

// On v2 a child cgroup only gets the controllers its parent delegates.
void enable_v2_controllers(const fs::path& root) {
  for (const char* controller : {"+memory", "+cpu", "+pids"}) {
    try {
      write_file(root / "cgroup.subtree_control", controller);
    } catch (const core::Error&) {
      // Absent controllers are reported when a limit file is missing.
    }
  }
}

} // namespace

CgroupLayout detect_cgroup_layout() {
  CgroupLayout layout;
  std::ifstream in("/proc/self/mountinfo");
  std::vector<CgroupHierarchy> v2;
  for (std::string line; std::getline(in, line);) {
    auto dash = line.find(" - ");
    if (dash == std::string::npos) {
      continue;
    }
    std::istringstream head(line.substr(0, dash));
    std::istringstream tail(line.substr(dash + 3));
    std::string id, parent, devno, root, mount_point, fstype, source, options;
    head >> id >> parent >> devno >> root >> mount_point;
    tail >> fstype >> source >> options;
    if (fstype == "cgroup2") {
      v2.push_back({mount_point, "", true});
    } else if (fstype == "cgroup") {
      std::string controllers;
      std::istringstream opts(options);
      for (std::string opt; std::getline(opts, opt, ',');) {
        if (opt == "rw" || opt == "ro" || opt.find('=') != std::string::npos) {
          continue;
        }
        controllers += (controllers.empty() ? "" : ",") + opt;
      }
      layout.hierarchies.push_back({mount_point, controllers, false});
    }
  }
  if (layout.hierarchies.empty() && !v2.empty()) {
    layout.unified = true;
    layout.hierarchies = {v2.front()};
  }
  return layout;
}

std::optional<CgroupHierarchy> find_hierarchy(const CgroupLayout& layout,
                                              const std::string& controller) {
  if (layout.unified) {
    return layout.hierarchies.front();
  }
  for (const auto& h : layout.hierarchies) {
    std::istringstream opts(h.controllers);
    for (std::string opt; std::getline(opts, opt, ',');) {
      if (opt == controller) {
        return h;
      }
    }
  }
  return std::nullopt;
}

Cgroup::Cgroup(const CgroupLayout& layout, const CgroupLimits& limits)
    : m_name("cbuild-" + std::to_string(::getpid()) + "-" + std::to_string(g_counter++)),
      m_unified(layout.unified) {
  std::vector<std::string> wanted;
  if (limits.memory_bytes)
    wanted.push_back("memory");
  if (limits.cpu_quota_us || limits.cpu_period_us)
    wanted.push_back("cpu");
  if (limits.pids_max)
    wanted.push_back("pids");
  for (const auto& controller : wanted) {
    auto h = find_hierarchy(layout, controller);
    if (!h) {
      throw core::Error("cgroup: the " + controller + " controller is not mounted on this host");
    }
    bool seen = false;
    for (const auto& known : m_hierarchies) {
      seen = seen || known.mount_point == h->mount_point;
    }
    if (!seen) {
      m_hierarchies.push_back(*h);
    }
  }
  for (const auto& h : m_hierarchies) {
    if (h.is_v2) {
      enable_v2_controllers(h.mount_point);
    }
    fs::path dir = h.mount_point / m_name;
    if (::mkdir(dir.c_str(), 0755) != 0) {
      core::throw_errno("cgroup: create", dir.string());
    }
    m_dirs.push_back(dir);
  }
  auto dir_of = [&](const std::string& controller) {
    auto h = find_hierarchy(layout, controller);
    return h->mount_point / m_name;
  };
  if (limits.memory_bytes) {
    fs::path dir = dir_of("memory");
    m_memory_dir = dir;
    std::string bytes = std::to_string(*limits.memory_bytes);
    if (m_unified) {
      write_file(dir / "memory.max", bytes);
      if (fs::exists(dir / "memory.swap.max")) {
        write_file(dir / "memory.swap.max", "0");
      }
    } else {
      write_file(dir / "memory.limit_in_bytes", bytes);
      if (fs::exists(dir / "memory.memsw.limit_in_bytes")) {
        write_file(dir / "memory.memsw.limit_in_bytes", bytes);
      }
    }
  }
  if (limits.cpu_quota_us || limits.cpu_period_us) {
    fs::path dir = dir_of("cpu");
    std::int64_t period = limits.cpu_period_us.value_or(100000);
    if (m_unified) {
      std::string quota = limits.cpu_quota_us ? std::to_string(*limits.cpu_quota_us) : "max";
      write_file(dir / "cpu.max", quota + " " + std::to_string(period));
    } else {
      write_file(dir / "cpu.cfs_period_us", std::to_string(period));
      if (limits.cpu_quota_us) {
        write_file(dir / "cpu.cfs_quota_us", std::to_string(*limits.cpu_quota_us));
      }
    }
  }
  if (limits.pids_max) {
    write_file(dir_of("pids") / "pids.max", std::to_string(*limits.pids_max));
  }
}

Cgroup::~Cgroup() {
  for (const auto& dir : m_dirs) {
    remove_cgroup_dir(dir);
  }
}

void Cgroup::add_process(pid_t pid) const {
  for (const auto& dir : m_dirs) {
    write_file(dir / "cgroup.procs", std::to_string(pid));
  }
}

void Cgroup::evict(pid_t pid) const {
  for (const auto& h : m_hierarchies) {
    core::UniqueFd fd(::open((h.mount_point / "cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC));
    std::string text = std::to_string(pid);
    if (fd) {
      [[maybe_unused]] ssize_t n = ::write(fd.get(), text.data(), text.size());
    }
  }
}

std::int64_t Cgroup::oom_kill_count() const {
  if (!m_memory_dir) {
    return 0;
  }
  return m_unified ? read_keyed(*m_memory_dir / "memory.events", "oom_kill")
                   : read_keyed(*m_memory_dir / "memory.oom_control", "oom_kill");
}

bool remove_cgroup_dir(const fs::path& dir) {
  // The processes were killed with the PID namespace; an rmdir can still see
  // them for a moment while the kernel finishes tearing them down.
  for (int attempt = 0; attempt < 500; ++attempt) {
    if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) {
      return true;
    }
    if (errno != EBUSY) {
      return false;
    }
    kill_members(dir);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

int remove_stale_cgroups(const CgroupLayout& layout) {
  int removed = 0;
  for (const auto& h : layout.hierarchies) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(h.mount_point, ec)) {
      pid_t owner = 0;
      if (entry.is_directory(ec) && is_cbuild_name(entry.path().filename().string(), owner) &&
          !process_exists(owner) && remove_cgroup_dir(entry.path())) {
        ++removed;
      }
    }
  }
  return removed;
}

} // namespace builder::sandbox
