// Compiling Docker's default profile with libseccomp costs ~10 ms of CPU,
// more than everything else cbuild does to start a sandbox. The program only
// depends on the profile, the capabilities, the architecture, libseccomp and
// the kernel version, so it is kept in memory and in a private cache directory.
//
// Cache file: "cbuild-seccomp 2\n", the key's length (8 bytes, native order),
// the key text, then the program's sock_filter array.
#include "builder/sandbox/seccomp.h"

#include "core/unique_fd.h"

#include <fcntl.h>
#include <seccomp.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>

namespace builder::sandbox {
namespace fs = std::filesystem;
namespace {

std::mutex g_mutex;
std::map<std::string, std::vector<sock_filter>> g_programs;

// Length-prefixed, so that no two different lists give the same text.
void add_list(std::string& out, const std::vector<std::string>& items) {
  for (const auto& item : items) {
    out += std::to_string(item.size()) + ':' + item;
  }
  out += ';';
}

std::string cache_key(const SeccompProfile& profile, CapSet caps) {
  const scmp_version* version = seccomp_version();
  utsname name{};
  ::uname(&name);
  std::string text = "v2;" + std::to_string(version->major) + "." + std::to_string(version->minor) +
                     "." + std::to_string(version->micro) + ";" + name.release + ";" +
                     name.machine + ";" + std::to_string(caps.bits) + ";" + profile.default_action +
                     ";" + std::to_string(profile.default_errno_ret) + ";tree\n";
  for (const auto& rule : profile.rules) {
    add_list(text, rule.names);
    text += rule.action + ";" + std::to_string(rule.errno_ret.value_or(-1)) + ";";
    for (const auto& arg : rule.args) {
      text += std::to_string(arg.index) + "," + std::to_string(arg.value) + "," +
              std::to_string(arg.value_two) + "," + std::to_string(arg.op.size()) + ":" + arg.op;
    }
    add_list(text, rule.include_caps);
    add_list(text, rule.exclude_caps);
    add_list(text, rule.include_arches);
    add_list(text, rule.exclude_arches);
    text += rule.min_kernel + "\n";
  }
  return text;
}

// Names the cache file; the file holds the whole key, so collisions are harmless.
std::string fnv1a_hex(const std::string& text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    hash = (hash ^ c) * 0x100000001b3ULL;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

// Root: /var/cache/cbuild/seccomp; others: $XDG_CACHE_HOME or ~/.cache.
fs::path cache_dir() {
  if (::geteuid() == 0) {
    return "/var/cache/cbuild/seccomp";
  }
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    return fs::path(xdg) / "cbuild/seccomp";
  }
  const char* home = std::getenv("HOME");
  return home && *home ? fs::path(home) / ".cache/cbuild/seccomp" : fs::path();
}

constexpr char k_magic[] = "cbuild-seccomp 2\n";
constexpr std::size_t k_magic_size = sizeof k_magic - 1;

// Only a file we own and nobody else can write is trusted: it becomes the
// filter of every sandbox. Its key must be ours, byte for byte.
std::optional<std::vector<sock_filter>> load(const fs::path& file, const std::string& key) {
  core::UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  struct stat st {};
  if (!fd || ::fstat(fd.get(), &st) != 0 || st.st_uid != ::geteuid() ||
      (st.st_mode & (S_IWGRP | S_IWOTH)) != 0 || st.st_size <= 0 || st.st_size > (4 << 20)) {
    return std::nullopt;
  }
  std::string data(static_cast<std::size_t>(st.st_size), '\0');
  if (::pread(fd.get(), data.data(), data.size(), 0) != st.st_size) {
    return std::nullopt;
  }
  const std::size_t header = k_magic_size + sizeof(std::uint64_t);
  std::uint64_t key_size = 0;
  if (data.size() < header || data.compare(0, k_magic_size, k_magic) != 0) {
    return std::nullopt;
  }
  std::memcpy(&key_size, data.data() + k_magic_size, sizeof key_size);
  if (key_size != key.size() || data.size() - header < key_size ||
      data.compare(header, key.size(), key) != 0) {
    return std::nullopt;
  }
  std::size_t program_size = data.size() - header - key.size();
  if (program_size == 0 || program_size % sizeof(sock_filter) != 0) {
    return std::nullopt;
  }
  std::vector<sock_filter> program(program_size / sizeof(sock_filter));
  std::memcpy(program.data(), data.data() + header + key.size(), program_size);
  return program;
}

void store(const fs::path& dir, const fs::path& file, const std::string& key,
           const std::vector<sock_filter>& program) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  ::chmod(dir.c_str(), 0700);
  fs::path tmp = file;
  tmp += "." + std::to_string(::getpid()) + "." + std::to_string(::gettid()) + ".tmp";
  core::UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd) {
    return; // a cache that cannot be written is only slower
  }
  std::uint64_t key_size = key.size();
  std::string data(k_magic, k_magic_size);
  data.append(reinterpret_cast<const char*>(&key_size), sizeof key_size);
  data += key;
  data.append(reinterpret_cast<const char*>(program.data()), program.size() * sizeof(sock_filter));
  if (::write(fd.get(), data.data(), data.size()) != static_cast<ssize_t>(data.size()) ||
      ::rename(tmp.c_str(), file.c_str()) != 0) {
    ::unlink(tmp.c_str());
  }
}

} // namespace

std::vector<sock_filter> compile_seccomp_cached(const SeccompProfile& profile, CapSet caps) {
  const std::string key = cache_key(profile, caps);
  {
    std::lock_guard lock(g_mutex);
    if (auto it = g_programs.find(key); it != g_programs.end()) {
      return it->second;
    }
  }
  const fs::path dir = cache_dir();
  const fs::path file = dir.empty() ? fs::path() : dir / (fnv1a_hex(key) + ".bpf");
  std::optional<std::vector<sock_filter>> program;
  if (!file.empty()) {
    program = load(file, key);
  }
  if (!program) {
    program = compile_seccomp(profile, caps);
    if (!file.empty()) {
      store(dir, file, key, *program);
    }
  }
  std::lock_guard lock(g_mutex);
  g_programs[key] = *program;
  return *program;
}

} // namespace builder::sandbox
