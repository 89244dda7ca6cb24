#pragma once

// Helpers shared by the layer tests (compression, tar, layer writer/applier).

#include "core/stream.h"
#include "core/tar_entry.h"
#include "core/tar_reader.h"
#include "core/tar_writer.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace layer_test {

namespace fs = std::filesystem;

inline void write_file(const fs::path& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
}

inline std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// Deterministic pseudo-random bytes (mildly compressible).
inline std::string sample_bytes(size_t n, unsigned seed = 1) {
  std::string out(n, '\0');
  std::uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1103515245u + 12345u;
    out[i] = static_cast<char>("abcdefgh\n 0123"[(x >> 16) % 15]);
  }
  return out;
}

/// Runs a shell command; returns its stdout and sets `status` (exit code).
inline std::string run_shell(const std::string& command, int& status) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) {
    status = -1;
    return out;
  }
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) {
    out.append(buf.data(), n);
  }
  int rc = ::pclose(p);
  status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return out;
}

inline bool have_tool(const std::string& tool) {
  int status = 0;
  run_shell("command -v " + tool + " >/dev/null 2>&1", status);
  return status == 0;
}

/// A tar built in memory with TarWriter; entries' data from `data`.
inline std::string make_tar(const std::vector<std::pair<core::TarEntry, std::string>>& entries) {
  std::string out;
  core::StringOutputStream sink(out);
  core::TarWriter tar(sink);
  for (const auto& [entry, data] : entries) {
    tar.write_entry(entry, data);
  }
  tar.finish();
  return out;
}

inline core::TarEntry file_entry(std::string path, std::string_view data,
                                 std::uint32_t mode = 0644) {
  core::TarEntry e;
  e.path = std::move(path);
  e.size = data.size();
  e.mode = mode;
  return e;
}

inline core::TarEntry typed_entry(std::string path, core::TarEntryType type,
                                  std::string link = {}) {
  core::TarEntry e;
  e.path = std::move(path);
  e.type = type;
  e.mode = type == core::TarEntryType::directory ? 0755 : 0644;
  e.link_target = std::move(link);
  return e;
}

/// Every entry of a tar with its data.
inline std::vector<std::pair<core::TarEntry, std::string>> read_tar(core::InputStream& in,
                                                                    const std::string& name = "t") {
  core::TarReader reader(in, name);
  std::vector<std::pair<core::TarEntry, std::string>> out;
  while (auto e = reader.next()) {
    std::string data;
    core::StringOutputStream sink(data);
    core::copy_stream(reader.data(), sink);
    out.emplace_back(*e, std::move(data));
  }
  return out;
}

inline std::vector<std::pair<core::TarEntry, std::string>> read_tar(std::string_view bytes) {
  core::MemoryInputStream in(bytes);
  return read_tar(in);
}

/// What a tree holds, path by path, for comparing two trees.
struct NodeInfo {
  mode_t mode = 0; // type and permission bits
  uid_t uid = 0;
  gid_t gid = 0;
  std::int64_t mtime = 0;
  dev_t rdev = 0;
  ino_t ino = 0;
  std::string content; // file bytes or symlink target
  std::vector<std::pair<std::string, std::string>> xattrs;
  bool operator==(const NodeInfo& o) const {
    return mode == o.mode && uid == o.uid && gid == o.gid && mtime == o.mtime && rdev == o.rdev &&
           content == o.content && xattrs == o.xattrs;
  }
};

inline std::vector<std::pair<std::string, std::string>> xattrs_of(const fs::path& p) {
  std::vector<std::pair<std::string, std::string>> out;
  char names[4096];
  ssize_t n = ::llistxattr(p.c_str(), names, sizeof names);
  for (ssize_t i = 0; i < n;) {
    std::string name(names + i);
    i += static_cast<ssize_t>(name.size()) + 1;
    if (name == "security.selinux") {
      continue;
    }
    char value[4096];
    ssize_t v = ::lgetxattr(p.c_str(), name.c_str(), value, sizeof value);
    out.emplace_back(name, std::string(value, v > 0 ? static_cast<size_t>(v) : 0));
  }
  std::sort(out.begin(), out.end());
  return out;
}

/// lstat of everything below `root` (relative paths), contents included.
inline std::map<std::string, NodeInfo> snapshot(const fs::path& root) {
  std::map<std::string, NodeInfo> out;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it) {
    struct stat st {};
    ::lstat(it->path().c_str(), &st);
    NodeInfo n;
    n.mode = st.st_mode;
    n.uid = st.st_uid;
    n.gid = st.st_gid;
    n.mtime = st.st_mtim.tv_sec;
    n.rdev = S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? st.st_rdev : 0;
    n.ino = st.st_ino;
    if (S_ISREG(st.st_mode)) {
      n.content = read_file(it->path());
    } else if (S_ISLNK(st.st_mode)) {
      n.content = fs::read_symlink(it->path()).string();
    }
    n.xattrs = xattrs_of(it->path());
    out[it->path().lexically_relative(root).string()] = n;
  }
  return out;
}

} // namespace layer_test
