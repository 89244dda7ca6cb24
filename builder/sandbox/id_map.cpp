#include "builder/sandbox/id_map.h"

#include "core/error.h"
#include "core/unique_fd.h"

#include <fcntl.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

extern char** environ;

namespace builder::sandbox {
namespace {

constexpr const char* k_newuidmap = "/usr/bin/newuidmap";
constexpr const char* k_newgidmap = "/usr/bin/newgidmap";

// The caller's range in /etc/subuid or /etc/subgid ("name:start:count").
std::optional<IdMap> subordinate_range(const char* file, std::uint32_t id) {
  std::string name = std::to_string(id);
  if (const passwd* pw = ::getpwuid(id)) {
    name = pw->pw_name;
  }
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string owner, start, count;
    if (std::getline(fields, owner, ':') && std::getline(fields, start, ':') &&
        std::getline(fields, count) && (owner == name || owner == std::to_string(id))) {
      auto n = static_cast<std::uint32_t>(std::stoul(count));
      return IdMap{1, static_cast<std::uint32_t>(std::stoul(start)), std::min(n, 65536u)};
    }
  }
  return std::nullopt;
}

std::vector<IdMap> default_map(std::uint32_t id, const char* subfile, const char* helper) {
  std::vector<IdMap> maps = {{0, id, 1}};
  if (id != 0 && std::filesystem::exists(helper)) {
    if (auto range = subordinate_range(subfile, id)) {
      maps.push_back(*range);
    }
  }
  return maps;
}

void write_proc(pid_t pid, const char* name, const std::string& text) {
  std::string path = "/proc/" + std::to_string(pid) + "/" + name;
  core::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd || ::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    core::throw_errno("sandbox: write", path);
  }
}

void run_helper(const char* helper, pid_t pid, const std::vector<IdMap>& maps) {
  std::vector<std::string> args = {helper, std::to_string(pid)};
  for (const auto& m : maps) {
    args.push_back(std::to_string(m.inside));
    args.push_back(std::to_string(m.outside));
    args.push_back(std::to_string(m.count));
  }
  std::vector<char*> argv;
  for (auto& arg : args) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);
  pid_t child = 0;
  if (int rc = ::posix_spawn(&child, helper, nullptr, nullptr, argv.data(), environ); rc != 0) {
    core::throw_errno("sandbox: run", helper, rc);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw core::Error(std::string("sandbox: ") + helper + " failed for maps '" +
                      format_id_maps(maps) + "'");
  }
}

} // namespace

std::vector<IdMap> effective_uid_map(const SandboxSpec& spec) {
  return spec.uid_map.empty() ? default_map(::geteuid(), "/etc/subuid", k_newuidmap) : spec.uid_map;
}

std::vector<IdMap> effective_gid_map(const SandboxSpec& spec) {
  return spec.gid_map.empty() ? default_map(::getegid(), "/etc/subgid", k_newgidmap) : spec.gid_map;
}

bool uses_helper_maps(const SandboxSpec& spec) {
  if (::geteuid() == 0) {
    return false;
  }
  auto only_self = [](const std::vector<IdMap>& maps, std::uint32_t id) {
    return maps.size() == 1 && maps[0].outside == id && maps[0].count == 1;
  };
  return !only_self(effective_uid_map(spec), ::geteuid()) ||
         !only_self(effective_gid_map(spec), ::getegid());
}

void write_id_maps(pid_t pid, const SandboxSpec& spec) {
  auto uids = effective_uid_map(spec);
  auto gids = effective_gid_map(spec);
  if (uses_helper_maps(spec)) {
    run_helper(k_newuidmap, pid, uids);
    run_helper(k_newgidmap, pid, gids);
    return;
  }
  if (::geteuid() != 0) {
    // An unprivileged process may map its own gid only after giving up setgroups.
    write_proc(pid, "setgroups", "deny");
  }
  write_proc(pid, "uid_map", format_id_maps(uids));
  write_proc(pid, "gid_map", format_id_maps(gids));
}

std::string format_id_maps(const std::vector<IdMap>& maps) {
  std::string text;
  for (const auto& m : maps) {
    text += std::to_string(m.inside) + " " + std::to_string(m.outside) + " " +
            std::to_string(m.count) + "\n";
  }
  return text;
}

} // namespace builder::sandbox
