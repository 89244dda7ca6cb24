#include "builder/union_tree.h"

#include "core/error.h"
#include "dockerfile-parser/dockerignore.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <system_error>

namespace builder {

namespace fs = std::filesystem;

namespace {

constexpr int k_max_symlinks = 40; // as the kernel's path walk

bool is_whiteout(const struct stat& st) {
  return S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
}

bool is_opaque(const fs::path& dir) {
  char value[2] = {};
  ssize_t n = ::lgetxattr(dir.c_str(), "trusted.overlay.opaque", value, sizeof value);
  return n == 1 && value[0] == 'y';
}

std::optional<struct stat> lstat_of(const fs::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return std::nullopt;
    }
    core::throw_errno("lstat", path.string());
  }
  return st;
}

/// "a/b/c" -> {"a", "b", "c"}; "" -> {}.
std::vector<std::string> components(const std::string& rel) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < rel.size()) {
    size_t slash = rel.find('/', start);
    if (slash == std::string::npos) {
      slash = rel.size();
    }
    if (slash > start) {
      out.push_back(rel.substr(start, slash - start));
    }
    start = slash + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& parts, size_t count) {
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    out += (i ? "/" : "") + parts[i];
  }
  return out;
}

/// Root-relative and clean: "/a/../b/" -> "b", "/" -> "".
std::string relative(const std::string& path) {
  std::string clean = dockerfile::clean_path("/" + path);
  return clean == "/" ? "" : clean.substr(1);
}

void remove_path(const fs::path& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) {
    core::throw_errno("remove", path.string(), ec.value());
  }
}

/// Mode, owner, xattrs (not overlay's own) and mtime of `from` onto `to`.
void copy_metadata(const fs::path& from, const struct stat& st, const fs::path& to) {
  if (::lchown(to.c_str(), st.st_uid, st.st_gid) != 0) {
    core::throw_errno("chown", to.string());
  }
  if (!S_ISLNK(st.st_mode) && ::chmod(to.c_str(), st.st_mode & 07777) != 0) {
    core::throw_errno("chmod", to.string());
  }
  if (S_ISDIR(st.st_mode)) {
    char names[4096];
    ssize_t size = ::llistxattr(from.c_str(), names, sizeof names);
    for (ssize_t at = 0; size > 0 && at < size;) {
      std::string name(names + at);
      at += static_cast<ssize_t>(name.size()) + 1;
      if (name.starts_with("trusted.overlay.")) {
        continue;
      }
      char value[4096];
      ssize_t n = ::lgetxattr(from.c_str(), name.c_str(), value, sizeof value);
      if (n >= 0) {
        ::lsetxattr(to.c_str(), name.c_str(), value, static_cast<size_t>(n), 0);
      }
    }
  }
  const struct timespec times[2] = {st.st_atim, st.st_mtim};
  if (::utimensat(AT_FDCWD, to.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) {
    core::throw_errno("set times of", to.string());
  }
}

/// One non-directory entry of a layer at `to`, replacing what is there.
void place_entry(const fs::path& from, const struct stat& st, const fs::path& to) {
  if (lstat_of(to)) {
    remove_path(to);
  }
  if (S_ISREG(st.st_mode)) {
    if (::link(from.c_str(), to.c_str()) != 0) {
      core::throw_errno("link " + from.string() + " to", to.string());
    }
    return; // the inode carries its own metadata
  }
  if (S_ISLNK(st.st_mode)) {
    std::error_code ec;
    fs::path target = fs::read_symlink(from, ec);
    if (ec || ::symlink(target.c_str(), to.c_str()) != 0) {
      core::throw_errno("copy symlink to", to.string(), ec ? ec.value() : errno);
    }
  } else if (::mknod(to.c_str(), st.st_mode, st.st_rdev) != 0) {
    core::throw_errno("make node", to.string());
  }
  copy_metadata(from, st, to);
}

class Union {
public:
  explicit Union(const std::vector<fs::path>& layers) : m_layers(layers) {}

  /// The entry `rel` shows, without following a final symlink: the layer
  /// holding it and its stat; nullopt when absent or deleted.
  std::optional<std::pair<size_t, struct stat>> lookup(const std::string& rel) const {
    std::vector<std::string> parts = components(rel);
    for (size_t layer = 0; layer < m_layers.size(); ++layer) {
      Visibility v = visibility(layer, parts);
      if (v == Visibility::blocked || v == Visibility::absent_last) {
        return std::nullopt;
      }
      if (v == Visibility::absent) {
        continue;
      }
      std::optional<struct stat> st = lstat_of(m_layers[layer] / rel);
      if (!st) {
        if (v == Visibility::present_last) {
          return std::nullopt;
        }
        continue;
      }
      if (is_whiteout(*st)) {
        return std::nullopt;
      }
      return std::pair{layer, *st};
    }
    return std::nullopt;
  }

  /// Builds the merged directory `rel` under `dest` from every layer that
  /// contributes to it, bottom first.
  void merge_dir(const std::string& rel, const fs::path& dest) const {
    std::vector<std::string> parts = components(rel);
    std::vector<size_t> contributors;
    for (size_t layer = 0; layer < m_layers.size(); ++layer) {
      Visibility v = visibility(layer, parts);
      if (v == Visibility::blocked || v == Visibility::absent_last) {
        break;
      }
      if (v == Visibility::absent) {
        continue;
      }
      fs::path here = m_layers[layer] / rel;
      std::optional<struct stat> st = lstat_of(here);
      if (st && !S_ISDIR(st->st_mode)) {
        break; // a whiteout or a non-directory hides the layers below
      }
      if (st) {
        contributors.push_back(layer);
        if (is_opaque(here)) {
          break;
        }
      }
      if (v == Visibility::present_last) {
        break;
      }
    }
    for (size_t i = contributors.size(); i-- > 0;) {
      apply_dir(m_layers[contributors[i]] / rel, dest);
    }
  }

private:
  enum class Visibility {
    present,      ///< every parent of the path is a directory in this layer
    present_last, ///< ... and one of them is opaque: lower layers are hidden
    absent,       ///< a parent is missing here: look further down
    absent_last,  ///< a parent is missing and an opaque one above hides lower layers
    blocked,      ///< a parent is deleted or not a directory: nothing below is seen
  };

  Visibility visibility(size_t layer, const std::vector<std::string>& parts) const {
    bool opaque = false;
    fs::path dir = m_layers[layer];
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      dir /= parts[i];
      std::optional<struct stat> st = lstat_of(dir);
      if (!st) {
        return opaque ? Visibility::absent_last : Visibility::absent;
      }
      if (!S_ISDIR(st->st_mode)) {
        return Visibility::blocked;
      }
      opaque = opaque || is_opaque(dir);
    }
    return opaque ? Visibility::present_last : Visibility::present;
  }

  /// One layer's directory `from` applied onto `to` with overlay's rules.
  void apply_dir(const fs::path& from, const fs::path& to) const {
    struct stat self {};
    if (::lstat(from.c_str(), &self) != 0) {
      core::throw_errno("lstat", from.string());
    }
    std::optional<struct stat> existing = lstat_of(to);
    if (existing && !S_ISDIR(existing->st_mode)) {
      remove_path(to);
      existing.reset();
    }
    if (!existing) {
      if (::mkdir(to.c_str(), 0700) != 0) {
        core::throw_errno("mkdir", to.string());
      }
    } else if (is_opaque(from)) {
      for (const fs::directory_entry& child : fs::directory_iterator(to)) {
        remove_path(child.path());
      }
    }
    DIR* dir = ::opendir(from.c_str());
    if (dir == nullptr) {
      core::throw_errno("open directory", from.string());
    }
    std::unique_ptr<DIR, int (*)(DIR*)> closer(dir, ::closedir);
    while (const dirent* entry = ::readdir(dir)) {
      std::string_view name = entry->d_name;
      if (name == "." || name == "..") {
        continue;
      }
      fs::path child_from = from / entry->d_name;
      fs::path child_to = to / entry->d_name;
      struct stat st {};
      if (::lstat(child_from.c_str(), &st) != 0) {
        core::throw_errno("lstat", child_from.string());
      }
      if (is_whiteout(st)) {
        if (lstat_of(child_to)) {
          remove_path(child_to);
        }
      } else if (S_ISDIR(st.st_mode)) {
        apply_dir(child_from, child_to);
      } else {
        place_entry(child_from, st, child_to);
      }
    }
    copy_metadata(from, self, to);
  }

  const std::vector<fs::path>& m_layers;
};

/// The directories above `rel` in `dest`, as the union shows them.
void make_parents(const Union& u, const std::vector<std::string>& parts, size_t count,
                  const std::vector<fs::path>& layers, const fs::path& dest) {
  for (size_t i = 1; i < count + 1 && i <= parts.size(); ++i) {
    std::string rel = join(parts, i);
    fs::path to = dest / rel;
    if (lstat_of(to)) {
      continue;
    }
    auto node = u.lookup(rel);
    if (!node || !S_ISDIR(node->second.st_mode)) {
      return;
    }
    if (::mkdir(to.c_str(), 0700) != 0) {
      core::throw_errno("mkdir", to.string());
    }
    copy_metadata(layers[node->first] / rel, node->second, to);
  }
}

/// Materializes `rel` (following symlinks on the way, inside the union).
void materialize_path(const Union& u, const std::vector<fs::path>& layers, std::string rel,
                      const fs::path& dest, int depth) {
  if (depth > k_max_symlinks) {
    return; // a loop: whoever looks the path up gets ELOOP
  }
  std::vector<std::string> parts = components(rel);
  for (size_t i = 1; i <= parts.size(); ++i) {
    std::string prefix = join(parts, i);
    auto node = u.lookup(prefix);
    if (!node) {
      return; // absent: nothing to show
    }
    const struct stat& st = node->second;
    if (S_ISDIR(st.st_mode)) {
      continue;
    }
    // A symlink or a file: place it (with its parents), then follow a link.
    make_parents(u, parts, i - 1, layers, dest);
    fs::path to = dest / prefix;
    if (!lstat_of(to)) {
      place_entry(layers[node->first] / prefix, st, to);
    }
    if (!S_ISLNK(st.st_mode)) {
      return; // a file: the path ends here (or does not exist below it)
    }
    std::error_code ec;
    std::string target = fs::read_symlink(layers[node->first] / prefix, ec).string();
    if (ec) {
      core::throw_errno("read symlink", (layers[node->first] / prefix).string(), ec.value());
    }
    std::string base = target.starts_with("/") ? "" : join(parts, i - 1);
    std::string resolved = relative(base + "/" + target);
    for (size_t j = i; j < parts.size(); ++j) {
      resolved += (resolved.empty() ? "" : "/") + parts[j];
    }
    materialize_path(u, layers, relative(resolved), dest, depth + 1);
    return;
  }
  // Every component is a directory: the whole subtree.
  make_parents(u, parts, parts.empty() ? 0 : parts.size() - 1, layers, dest);
  u.merge_dir(rel, rel.empty() ? dest : dest / rel);
}

} // namespace

std::optional<UnionEntry> union_lookup(const std::vector<fs::path>& layers_top_first,
                                       const std::string& path) {
  std::string rel = relative(path);
  auto node = Union(layers_top_first).lookup(rel);
  if (!node) {
    return std::nullopt;
  }
  return UnionEntry{layers_top_first[node->first] / rel, node->second};
}

void materialize_union(const std::vector<fs::path>& layers_top_first,
                       const std::vector<std::string>& paths, const fs::path& dest) {
  Union u(layers_top_first);
  fs::create_directories(dest);
  for (const std::string& path : paths) {
    materialize_path(u, layers_top_first, relative(path), dest, 0);
  }
}

std::string static_prefix(const std::string& pattern) {
  std::vector<std::string> parts = components(relative(pattern));
  size_t keep = 0;
  while (keep < parts.size() && parts[keep].find_first_of("*?[\\") == std::string::npos) {
    ++keep;
  }
  return join(parts, keep);
}

} // namespace builder
