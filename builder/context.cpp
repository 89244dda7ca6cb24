#include "builder/context.h"

#include "core/error.h"
#include "core/file_util.h"
#include "core/unique_fd.h"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace builder {

namespace fs = std::filesystem;

namespace {

std::int64_t ns(const struct timespec& t) {
  return static_cast<std::int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec;
}

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
  std::ifstream in(m_stat_cache_file);
  if (in) {
    nlohmann::json cache = nlohmann::json::parse(in, nullptr, false);
    if (cache.is_object()) {
      for (const auto& [path, v] : cache.items()) {
        if (v.is_array() && v.size() == 5) {
          m_stat_cache[path] = {v[0].get<std::uint64_t>(), v[1].get<std::int64_t>(),
                                v[2].get<std::int64_t>(), v[3].get<std::uint64_t>(),
                                v[4].get<std::string>()};
        }
      }
    }
  }
  scan(m_dir, "");
  std::sort(m_entries.begin(), m_entries.end(),
            [](const ContextEntry& a, const ContextEntry& b) { return a.path < b.path; });
}

void BuildContext::scan(const fs::path& dir, const std::string& prefix) {
  for (const fs::directory_entry& item : fs::directory_iterator(dir)) {
    std::string rel = prefix + item.path().filename().string();
    bool excluded = m_ignore.is_excluded(rel);
    struct stat st {};
    if (::lstat(item.path().c_str(), &st) != 0) {
      core::throw_errno("stat context path", item.path().string());
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
        entry.link_target = fs::read_symlink(item.path()).string();
      }
      m_entries.push_back(std::move(entry));
    }
    // An excluded directory may still hold re-included ("!") paths.
    if (S_ISDIR(st.st_mode) && (!excluded || !m_ignore.empty())) {
      scan(item.path(), rel + "/");
    }
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
  std::ostringstream text;
  text << std::oct << entry.mode << std::dec << ' ' << entry.uid << ' ' << entry.gid << ' '
       << entry.size << ' ' << entry.link_target << ' ';
  if (S_ISREG(entry.mode)) {
    text << content_hash(entry);
  }
  return core::sha256_of(text.str());
}

void BuildContext::save() const {
  if (!m_dirty) {
    return;
  }
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [path, c] : m_stat_cache) {
    if (find(path) != nullptr) {
      out[path] = {c.size, c.mtime_ns, c.ctime_ns, c.inode, c.sha256};
    }
  }
  fs::create_directories(m_stat_cache_file.parent_path());
  core::write_file_atomic(m_stat_cache_file, out.dump());
}

} // namespace builder
