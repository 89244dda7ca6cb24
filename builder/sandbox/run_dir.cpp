#include "builder/sandbox/run_dir.h"

#include "core/error.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <optional>
#include <sstream>

namespace builder::sandbox {
namespace fs = std::filesystem;
namespace {

void write_text(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) {
    core::throw_errno("write", file.string());
  }
}

std::string read_host_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The layers as the sandbox stacks them, top first.
std::vector<fs::path> layer_roots(const Rootfs& rootfs) {
  std::vector<fs::path> roots;
  if (!rootfs.upper_dir.empty()) {
    roots.push_back(rootfs.upper_dir);
  }
  roots.insert(roots.end(), rootfs.lower_dirs.begin(), rootfs.lower_dirs.end());
  return roots;
}

// lstat of `name` in the topmost layer that has it.
std::optional<struct stat> find_in_layers(const std::vector<fs::path>& roots,
                                          const std::string& name) {
  for (const auto& root : roots) {
    struct stat st {};
    if (::lstat((root / name).c_str(), &st) == 0) {
      return st;
    }
  }
  return std::nullopt;
}

// A directory of the mountpoint layer looks exactly like the rootfs's (overlay
// copies the topmost layer's attributes up when the command writes inside).
bool mirror_dir(const fs::path& layer, const std::vector<fs::path>& roots, const std::string& name,
                bool shadow_non_dirs) {
  auto st = find_in_layers(roots, name);
  if (st && !S_ISDIR(st->st_mode)) {
    if (!shadow_non_dirs) {
      return false; // a symlink or file: leave the rootfs alone
    }
    st.reset(); // /proc, /sys, /dev must be directories: ours hides theirs
  }
  fs::path dir = layer / name;
  if (::mkdir(dir.c_str(), 0755) != 0) {
    core::throw_errno("create", dir.string());
  }
  if (st) {
    ::chmod(dir.c_str(), st->st_mode & 07777);
    [[maybe_unused]] int rc = ::lchown(dir.c_str(), st->st_uid, st->st_gid);
    timespec times[2] = {st->st_atim, st->st_mtim};
    ::utimensat(AT_FDCWD, dir.c_str(), times, AT_SYMLINK_NOFOLLOW);
  }
  return true;
}

std::string hosts_text(const SandboxSpec& spec) {
  std::string text = spec.network == NetworkMode::host
                         ? read_host_file("/etc/hosts")
                         : "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";
  if (!text.empty() && text.back() != '\n') {
    text += '\n';
  }
  return text + "127.0.1.1\t" + spec.hostname + "\n";
}

// proc and sysfs are mounted on these before pivot_root, when a symlink
// would still resolve against the host.
void require_no_symlink(const fs::path& root, const char* name) {
  struct stat st {};
  if (!root.empty() && ::lstat((root / name).c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) {
    throw core::InputError("sandbox: '" + (root / name).string() + "' is not a directory");
  }
}

void ensure_plain_root_mountpoints(const fs::path& root, bool has_etc) {
  for (const char* dir : {"proc", "sys", "dev"}) {
    require_no_symlink(root, dir);
    ::mkdir((root / dir).c_str(), 0755);
  }
  if (has_etc) {
    for (const char* name : {"hosts", "hostname", "resolv.conf"}) {
      fs::path file = root / "etc" / name;
      if (!fs::exists(fs::symlink_status(file))) {
        write_text(file, "");
      }
    }
  }
}

} // namespace

RunDir::RunDir(const SandboxSpec& spec) : m_dir("cbuild-sandbox-") {
  for (const char* dir : {"merged", "etc"}) {
    fs::create_directory(path() / dir);
  }
  write_text(etc() / "hosts", hosts_text(spec));
  write_text(etc() / "hostname", spec.hostname + "\n");
  write_text(etc() / "resolv.conf",
             spec.network == NetworkMode::host ? read_host_file("/etc/resolv.conf") : "");

  const Rootfs& rootfs = spec.rootfs;
  if (rootfs.lower_dirs.empty()) {
    struct stat st {};
    m_has_etc = ::lstat((rootfs.directory / "etc").c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    ensure_plain_root_mountpoints(rootfs.directory, m_has_etc);
    return;
  }
  fs::path layer = path() / "mountpoints";
  fs::create_directory(layer);
  auto roots = layer_roots(rootfs);
  for (const char* dir : {"proc", "sys", "dev"}) {
    require_no_symlink(rootfs.upper_dir, dir);
    mirror_dir(layer, roots, dir, true);
  }
  m_has_etc = mirror_dir(layer, roots, "etc", false);
  if (m_has_etc) {
    for (const char* name : {"hosts", "hostname", "resolv.conf"}) {
      write_text(layer / "etc" / name, "");
    }
  }
  m_overlay_lower = layer.string();
  for (const auto& dir : rootfs.lower_dirs) {
    // overlayfs separates layers with ':' and has no escape for it in paths.
    if (dir.string().find_first_of(":,") != std::string::npos) {
      throw core::InputError("sandbox: layer path '" + dir.string() +
                             "' contains ':' or ',', which overlayfs cannot take");
    }
    m_overlay_lower += ":" + dir.string();
  }
}

} // namespace builder::sandbox
