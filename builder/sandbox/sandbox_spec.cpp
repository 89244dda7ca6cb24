#include "builder/sandbox/sandbox_spec.h"

#include <nlohmann/json.hpp>
#include <unistd.h>

#include <cctype>

namespace builder::sandbox {
namespace {

using Json = nlohmann::json;

Json id_maps(const std::vector<IdMap>& maps) {
  Json out = Json::array();
  for (const auto& m : maps) {
    out.push_back({{"inside", m.inside}, {"outside", m.outside}, {"count", m.count}});
  }
  return out;
}

template <typename T> Json optional_value(const std::optional<T>& value) {
  return value ? Json(*value) : Json(nullptr);
}

Json rootfs_json(const Rootfs& rootfs) {
  Json lowers = Json::array();
  for (const auto& dir : rootfs.lower_dirs) {
    lowers.push_back(dir.string());
  }
  return {{"lower_dirs", lowers},
          {"upper_dir", rootfs.upper_dir.string()},
          {"work_dir", rootfs.work_dir.string()},
          {"directory", rootfs.directory.string()},
          {"read_only", rootfs.read_only}};
}

Json mounts_json(const std::vector<MountSpec>& mounts) {
  Json out = Json::array();
  for (const auto& m : mounts) {
    out.push_back({{"type", m.type == MountType::bind ? "bind" : "tmpfs"},
                   {"source", m.source.string()},
                   {"target", m.target},
                   {"read_only", m.read_only},
                   {"options", m.options}});
  }
  return out;
}

std::string seccomp_mode(const SeccompSetting& s) {
  switch (s.mode) {
  case SeccompSetting::Mode::docker_default: return "default";
  case SeccompSetting::Mode::unconfined: return "unconfined";
  case SeccompSetting::Mode::profile: return "profile:" + s.profile_file.string();
  }
  return "";
}

} // namespace

SandboxSpec default_spec() {
  SandboxSpec spec;
  spec.namespaces.user = ::geteuid() != 0;
  spec.capabilities = default_capabilities();
  spec.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
  return spec;
}

std::string to_json(const SandboxSpec& spec) {
  const Namespaces& ns = spec.namespaces;
  Json doc = {
      {"rootfs", rootfs_json(spec.rootfs)},
      {"mounts", mounts_json(spec.mounts)},
      {"argv", spec.argv},
      {"env", spec.env},
      {"cwd", spec.cwd},
      {"user", spec.user},
      {"hostname", spec.hostname},
      {"namespaces",
       {{"user", ns.user},
        {"mount", ns.mount},
        {"pid", ns.pid},
        {"uts", ns.uts},
        {"ipc", ns.ipc},
        {"net", spec.network == NetworkMode::none},
        {"cgroup", ns.cgroup}}},
      {"network", spec.network == NetworkMode::none ? "none" : "host"},
      {"uid_map", id_maps(spec.uid_map)},
      {"gid_map", id_maps(spec.gid_map)},
      {"capabilities", capability_names(spec.capabilities)},
      {"privileged", spec.privileged},
      {"no_new_privileges", spec.no_new_privileges},
      {"seccomp", seccomp_mode(spec.seccomp)},
      {"limits",
       {{"memory_bytes", optional_value(spec.limits.memory_bytes)},
        {"cpu_quota_us", optional_value(spec.limits.cpu_quota_us)},
        {"cpu_period_us", optional_value(spec.limits.cpu_period_us)},
        {"pids_max", optional_value(spec.limits.pids_max)}}},
      {"tty", spec.tty},
  };
  return doc.dump(2);
}

std::optional<std::int64_t> parse_memory_size(const std::string& text) {
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0]))) {
    return std::nullopt;
  }
  std::size_t used = 0;
  double number = std::stod(text, &used);
  std::string unit = text.substr(used);
  if (!unit.empty() && (unit.back() == 'b' || unit.back() == 'B') && unit.size() == 2) {
    unit.pop_back();
  }
  std::int64_t scale = 1;
  if (unit.empty() || unit == "b" || unit == "B") {
    scale = 1;
  } else if (unit == "k" || unit == "K") {
    scale = 1024;
  } else if (unit == "m" || unit == "M") {
    scale = 1024 * 1024;
  } else if (unit == "g" || unit == "G") {
    scale = 1024LL * 1024 * 1024;
  } else {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(number * static_cast<double>(scale));
}

} // namespace builder::sandbox
