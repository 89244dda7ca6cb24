#include "builder/context.h"

#include "core/error.h"
#include "core/file_util.h"
#include "core/unique_fd.h"

#include <nlohmann/json.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

namespace builder {

namespace fs = std::filesystem;

namespace {

std::int64_t ns(const struct timespec& t) {
  return static_cast<std::int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec;
}

constexpr const char* k_stat_cache_header = "cbuild stat cache 1";

bool has_wildcard(const std::string& text) {
  return text.find_first_of("*?[") != std::string::npos;
}

std::string sha256_of_file(const fs::path& path) {
  core::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) {
    core::throw_errno("read context file", path.string());
  }
  core::Sha256 hasher;
  std::vector<char> buffer(1 << 17);
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
    if (n < 0) {
      core::throw_errno("read context file", path.string());
    }
    if (n == 0) {
      break;
    }
    hasher.update(buffer.data(), static_cast<size_t>(n));
  }
  return std::string(hasher.finish().hex());
}

} // namespace

BuildContext::BuildContext(fs::path dir, dockerfile::DockerIgnore ignore, fs::path stat_cache)
    : m_dir(std::move(dir)), m_ignore(std::move(ignore)), m_stat_cache_file(std::move(stat_cache)) {
  if (!fs::is_directory(m_dir)) {
    throw core::InputError("build context '" + m_dir.string() + "' is not a directory");
  }
  load_stat_cache();
  core::UniqueFd root(::open(m_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root) {
    core::throw_errno("open build context", m_dir.string());
  }
  scan(root.get(), "");
  std::sort(m_entries.begin(), m_entries.end(),
            [](const ContextEntry& a, const ContextEntry& b) { return a.path < b.path; });
}

void BuildContext::scan(int dir_fd, const std::string& prefix) {
  DIR* dir = ::fdopendir(::dup(dir_fd));
  if (dir == nullptr) {
    core::throw_errno("read context directory", (m_dir / prefix).string());
  }
  std::unique_ptr<DIR, int (*)(DIR*)> closer(dir, ::closedir);
  while (const dirent* item = ::readdir(dir)) {
    std::string_view name = item->d_name;
    if (name == "." || name == "..") {
      continue;
    }
    std::string rel = prefix + std::string(name);
    bool excluded = m_ignore.is_excluded(rel);
    struct stat st {};
    if (::fstatat(dir_fd, item->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      core::throw_errno("stat context path", (m_dir / rel).string());
    }
    if (!excluded) {
      ContextEntry entry{rel,
                         st.st_mode,
                         st.st_uid,
                         st.st_gid,
                         static_cast<std::uint64_t>(st.st_size),
                         ns(st.st_mtim),
                         ns(st.st_ctim),
                         st.st_ino,
                         {}};
      if (S_ISLNK(st.st_mode)) {
        entry.link_target = fs::read_symlink(m_dir / rel).string();
      }
      m_entries.push_back(std::move(entry));
    }
    // An excluded directory may still hold re-included ("!") paths.
    if (S_ISDIR(st.st_mode) && (!excluded || !m_ignore.empty())) {
      core::UniqueFd sub(
          ::openat(dir_fd, item->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!sub) {
        core::throw_errno("open context directory", (m_dir / rel).string());
      }
      scan(sub.get(), rel + "/");
    }
  }
}

/// The stat cache file: a header line, then one line per file:
/// "SIZE MTIME_NS CTIME_NS INODE SHA256 PATH" (paths with a newline are not
/// cached). Read in one go: faster than JSON for tens of thousands of files.
void BuildContext::load_stat_cache() {
  std::ifstream in(m_stat_cache_file, std::ios::binary);
  std::string line;
  if (!in || !std::getline(in, line) || line != k_stat_cache_header) {
    return; // absent, or another format: every file is hashed once
  }
  while (std::getline(in, line)) {
    Cached c{};
    const char* p = line.data();
    const char* end = line.data() + line.size();
    auto number = [&](auto& value) {
      auto [next, ec] = std::from_chars(p, end, value);
      bool ok = ec == std::errc() && next != end && *next == ' ';
      p = ok ? next + 1 : end;
      return ok;
    };
    if (!number(c.size) || !number(c.mtime_ns) || !number(c.ctime_ns) || !number(c.inode) ||
        end - p < 66 || p[64] != ' ') {
      continue;
    }
    c.sha256.assign(p, 64);
    m_stat_cache.emplace(std::string(p + 65, end), std::move(c));
  }
}

const ContextEntry* BuildContext::find(const std::string& path) const {
  auto it =
      std::lower_bound(m_entries.begin(), m_entries.end(), path,
                       [](const ContextEntry& e, const std::string& p) { return e.path < p; });
  return it != m_entries.end() && it->path == path ? &*it : nullptr;
}

bool BuildContext::ignored(const std::string& path) const {
  std::error_code ec;
  return fs::symlink_status(m_dir / path, ec).type() != fs::file_type::not_found &&
         m_ignore.is_excluded(path);
}

std::vector<std::string> BuildContext::match(const std::string& pattern) const {
  std::string clean = dockerfile::clean_path(pattern);
  while (clean.starts_with("/")) {
    clean.erase(0, 1);
  }
  if (clean.empty() || clean == ".") {
    return {"."};
  }
  if (!has_wildcard(clean)) {
    return find(clean) ? std::vector<std::string>{clean} : std::vector<std::string>{};
  }
  std::vector<std::string> out;
  for (const ContextEntry& entry : m_entries) {
    if (::fnmatch(clean.c_str(), entry.path.c_str(), FNM_PATHNAME) == 0) {
      out.push_back(entry.path);
    }
  }
  return out;
}

std::vector<const ContextEntry*> BuildContext::subtree(const std::string& path) const {
  std::vector<const ContextEntry*> out;
  std::string prefix = path == "." ? "" : path + "/";
  for (const ContextEntry& entry : m_entries) {
    if (entry.path == path || entry.path.starts_with(prefix)) {
      out.push_back(&entry);
    }
  }
  return out;
}

std::string BuildContext::content_hash(const ContextEntry& entry) {
  auto it = m_stat_cache.find(entry.path);
  if (it != m_stat_cache.end() && it->second.size == entry.size &&
      it->second.mtime_ns == entry.mtime_ns && it->second.ctime_ns == entry.ctime_ns &&
      it->second.inode == entry.inode) {
    return it->second.sha256;
  }
  std::string hex = sha256_of_file(m_dir / entry.path);
  ++m_hashed;
  m_stat_cache[entry.path] = {entry.size, entry.mtime_ns, entry.ctime_ns, entry.inode, hex};
  m_dirty = true;
  return hex;
}

core::Digest BuildContext::entry_digest(const ContextEntry& entry) {
  char mode[16];
  std::snprintf(mode, sizeof mode, "%o", entry.mode);
  std::string text = std::string(mode) + ' ' + std::to_string(entry.uid) + ' ' +
                     std::to_string(entry.gid) + ' ' + std::to_string(entry.size) + ' ' +
                     entry.link_target + ' ';
  if (S_ISREG(entry.mode)) {
    text += content_hash(entry);
  }
  return core::sha256_of(text);
}

void BuildContext::save() const {
  if (!m_dirty) {
    return;
  }
  std::string out = std::string(k_stat_cache_header) + "\n";
  for (const auto& [path, c] : m_stat_cache) {
    if (path.find('\n') == std::string::npos && find(path) != nullptr) {
      out += std::to_string(c.size) + " " + std::to_string(c.mtime_ns) + " " +
             std::to_string(c.ctime_ns) + " " + std::to_string(c.inode) + " " + c.sha256 + " " +
             path + "\n";
    }
  }
  fs::create_directories(m_stat_cache_file.parent_path());
  core::write_file_atomic(m_stat_cache_file, out);
}

} // namespace builder
