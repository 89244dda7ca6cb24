#include "core/layer_apply.h"

#include "core/error.h"
#include "core/path_util.h"
#include "core/root_path.h"
#include "core/whiteout.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <unordered_set>
#include <vector>

namespace fs = std::filesystem;

namespace core {
namespace {

struct DirCloser {
  void operator()(DIR* d) const noexcept { ::closedir(d); }
};

/// Names in a directory (not "." or ".."); `dir_fd` stays open.
std::vector<std::string> list_dir(int dir_fd, const std::string& shown) {
  int fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    throw_errno("open directory", shown);
  }
  std::unique_ptr<DIR, DirCloser> dir(::fdopendir(fd));
  if (!dir) {
    ::close(fd);
    throw_errno("read directory", shown);
  }
  std::vector<std::string> names;
  while (dirent* d = ::readdir(dir.get())) {
    std::string_view n = d->d_name;
    if (n != "." && n != "..") {
      names.emplace_back(n);
    }
  }
  return names;
}

/// Removes `name` in `dir_fd`, with everything below it if it is a directory.
void remove_at(int dir_fd, const std::string& name, const std::string& shown) {
  struct stat st {};
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) {
      return;
    }
    throw_errno("stat", shown);
  }
  if (S_ISDIR(st.st_mode)) {
    int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      throw_errno("open directory", shown);
    }
    UniqueFd child(fd);
    for (const auto& n : list_dir(child.get(), shown)) {
      remove_at(child.get(), n, shown + "/" + n);
    }
  }
  if (::unlinkat(dir_fd, name.c_str(), S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) != 0 &&
      errno != ENOENT) {
    throw_errno("remove", shown);
  }
}

class Applier {
public:
  Applier(InputStream& layer, const fs::path& root, const std::string& name,
          const ApplyOptions& options)
      : m_reader(layer, name, options.reader), m_name(name), m_whiteouts(options.whiteouts),
        m_owner(options.owner) {
    m_chown = options.ownership ? *options.ownership == Ownership::preserve : ::geteuid() == 0;
    int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      throw_errno("open directory", root.string());
    }
    m_root.reset(fd);
  }

  ApplyResult run() {
    while (auto entry = m_reader.next()) {
      if (m_owner) {
        entry->uid = m_owner->uid;
        entry->gid = m_owner->gid;
      }
      try {
        apply(*entry);
      } catch (const PathEscapeError& e) {
        throw InputError(m_name + ": entry '" + entry->path + "': " + e.message());
      } catch (const InputError&) {
        throw;
      } catch (Error& e) {
        e.add_context(m_name + ": entry '" + entry->path + "'");
        throw;
      }
    }
    finish_directories();
    return std::move(m_result);
  }

private:
  struct DeferredDir {
    std::string path;
    std::uint32_t mode;
    std::int64_t mtime;
  };

  void apply(const TarEntry& e) {
    if (e.path == ".") {
      return; // the root itself keeps its attributes
    }
    if (m_whiteouts == Whiteouts::apply && is_whiteout(e.path)) {
      apply_whiteout(e);
      return;
    }
    UniqueFd parent = open_dir_in_root(m_root.get(), parent_path(e.path), CreateMissing::yes);
    std::string leaf(base_name(e.path));
    struct stat st {};
    bool exists = ::fstatat(parent.get(), leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
    m_this_layer.insert(e.path);
    ++m_result.entries;
    if (exists && S_ISDIR(st.st_mode) && e.type == TarEntryType::directory) {
      set_directory_meta(parent.get(), leaf, e);
      return;
    }
    if (exists) {
      remove_at(parent.get(), leaf, e.path);
    }
    create(parent.get(), leaf, e);
  }

  void apply_whiteout(const TarEntry& e) {
    ++m_result.whiteouts;
    if (auto dir = opaque_whiteout_dir(e.path)) {
      UniqueFd fd = open_dir_in_root(m_root.get(), *dir, CreateMissing::yes);
      clear_lower(fd.get(), *dir);
      return;
    }
    auto target = whiteout_target(e.path);
    if (!target) {
      if (base_name(e.path) == k_whiteout_prefix) {
        throw InputError(m_name + ": entry '" + e.path + "': whiteout without a name");
      }
      m_result.notes.push_back("ignored AUFS metadata entry '" + e.path + "'");
      return;
    }
    if (m_this_layer.count(*target)) {
      return; // whiteouts hide only what lower layers put there
    }
    UniqueFd parent;
    try {
      parent = open_dir_in_root(m_root.get(), parent_path(*target), CreateMissing::no);
    } catch (const PathEscapeError&) {
      throw;
    } catch (const Error&) {
      return; // the parent does not exist: nothing to delete
    }
    remove_at(parent.get(), std::string(base_name(*target)), *target);
  }

  /// Removes from `dir` what lower layers left in it, keeping this layer's entries.
  void clear_lower(int dir_fd, const std::string& dir) {
    for (const auto& name : list_dir(dir_fd, dir)) {
      std::string path = join_layer_path(dir, name);
      if (!m_this_layer.count(path)) {
        remove_at(dir_fd, name, path);
        continue;
      }
      struct stat st {};
      if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
        int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
          throw_errno("open directory", path);
        }
        UniqueFd child(fd);
        clear_lower(child.get(), path);
      }
    }
  }

  void create(int parent, const std::string& leaf, const TarEntry& e) {
    switch (e.type) {
    case TarEntryType::regular: create_file(parent, leaf, e); return;
    case TarEntryType::directory:
      if (::mkdirat(parent, leaf.c_str(), 0700) != 0) {
        throw_errno("create directory", e.path);
      }
      set_directory_meta(parent, leaf, e);
      return;
    case TarEntryType::symlink:
      if (::symlinkat(e.link_target.c_str(), parent, leaf.c_str()) != 0) {
        throw_errno("create symlink", e.path);
      }
      set_path_meta(parent, leaf, e, /*is_symlink=*/true);
      return;
    case TarEntryType::hardlink: create_hardlink(parent, leaf, e); return;
    case TarEntryType::char_device:
    case TarEntryType::block_device:
    case TarEntryType::fifo: create_node(parent, leaf, e); return;
    }
  }

  void create_file(int parent, const std::string& leaf, const TarEntry& e) {
    int fd =
        ::openat(parent, leaf.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
      throw_errno("create", e.path);
    }
    FdOutputStream out(UniqueFd(fd), e.path);
    std::vector<char>& buffer = m_buffer;
    buffer.resize(size_t{1} << 20);
    while (size_t n = m_reader.read_data(buffer.data(), buffer.size())) {
      out.write(buffer.data(), n);
    }
    if (m_chown && ::fchown(out.fd(), e.uid, e.gid) != 0) {
      throw_errno("chown", e.path);
    }
    // After chown, which clears setuid/setgid bits.
    if (::fchmod(out.fd(), e.mode) != 0) {
      throw_errno("chmod", e.path);
    }
    set_xattrs(out.fd(), nullptr, e);
    timespec times[2] = {{e.mtime, 0}, {e.mtime, 0}};
    if (::futimens(out.fd(), times) != 0) {
      throw_errno("set mtime of", e.path);
    }
  }

  void create_hardlink(int parent, const std::string& leaf, const TarEntry& e) {
    // The target is resolved inside the root like any path, so a hardlink
    // can only point at something already inside it.
    UniqueFd target_dir =
        open_dir_in_root(m_root.get(), parent_path(e.link_target), CreateMissing::no);
    std::string target_leaf(base_name(e.link_target));
    struct stat st {};
    if (::fstatat(target_dir.get(), target_leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      throw_errno("hardlink to", e.link_target);
    }
    if (S_ISDIR(st.st_mode)) {
      throw InputError(m_name + ": entry '" + e.path + "': hardlink to directory '" +
                       e.link_target + "'");
    }
    if (::linkat(target_dir.get(), target_leaf.c_str(), parent, leaf.c_str(), 0) != 0) {
      throw_errno("hardlink to", e.link_target);
    }
  }

  void create_node(int parent, const std::string& leaf, const TarEntry& e) {
    mode_t kind = e.type == TarEntryType::fifo          ? S_IFIFO
                  : e.type == TarEntryType::char_device ? S_IFCHR
                                                        : S_IFBLK;
    dev_t dev = e.type == TarEntryType::fifo ? 0 : makedev(e.dev_major, e.dev_minor);
    if (::mknodat(parent, leaf.c_str(), kind | 0600, dev) != 0) {
      if (errno == EPERM && kind != S_IFIFO) {
        m_result.notes.push_back("skipped device '" + e.path + "' (not permitted)");
        return;
      }
      throw_errno("create node", e.path);
    }
    set_path_meta(parent, leaf, e, /*is_symlink=*/false);
  }

  /// Owner, mode, xattrs and mtime of a symlink, device or FIFO by name.
  void set_path_meta(int parent, const std::string& leaf, const TarEntry& e, bool is_symlink) {
    if (m_chown && ::fchownat(parent, leaf.c_str(), e.uid, e.gid, AT_SYMLINK_NOFOLLOW) != 0) {
      throw_errno("chown", e.path);
    }
    if (!is_symlink && ::fchmodat(parent, leaf.c_str(), e.mode, 0) != 0) {
      throw_errno("chmod", e.path);
    }
    std::string proc_path =
        "/proc/self/fd/" + std::to_string(parent) + "/" + leaf; // no open() of a FIFO
    set_xattrs(-1, proc_path.c_str(), e);
    timespec times[2] = {{e.mtime, 0}, {e.mtime, 0}};
    if (::utimensat(parent, leaf.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) {
      throw_errno("set mtime of", e.path);
    }
  }

  void set_directory_meta(int parent, const std::string& leaf, const TarEntry& e) {
    int fd = ::openat(parent, leaf.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      throw_errno("open directory", e.path);
    }
    UniqueFd dir(fd);
    if (m_chown && ::fchown(dir.get(), e.uid, e.gid) != 0) {
      throw_errno("chown", e.path);
    }
    set_xattrs(dir.get(), nullptr, e);
    // Mode and mtime last: children are still to come.
    m_dirs.push_back(DeferredDir{e.path, e.mode, e.mtime});
  }

  void set_xattrs(int fd, const char* path, const TarEntry& e) {
    for (const auto& [key, value] : e.xattrs) {
      int rc = fd >= 0 ? ::fsetxattr(fd, key.c_str(), value.data(), value.size(), 0)
                       : ::lsetxattr(path, key.c_str(), value.data(), value.size(), 0);
      if (rc != 0) {
        if (errno == EPERM || errno == ENOTSUP) {
          m_result.notes.push_back("could not set xattr " + key + " on '" + e.path +
                                   "': " + errno_message(errno));
          continue;
        }
        throw_errno("set xattr " + key + " on", e.path);
      }
    }
  }

  void finish_directories() {
    // Deepest first, so setting a parent's mtime is not undone by a child.
    std::sort(m_dirs.begin(), m_dirs.end(),
              [](const DeferredDir& a, const DeferredDir& b) { return a.path > b.path; });
    for (const auto& d : m_dirs) {
      UniqueFd dir;
      try {
        dir = open_dir_in_root(m_root.get(), d.path, CreateMissing::no);
      } catch (const Error&) {
        continue; // replaced or whited out later in this layer
      }
      if (::fchmod(dir.get(), d.mode) != 0) {
        throw_errno("chmod", d.path);
      }
      timespec times[2] = {{d.mtime, 0}, {d.mtime, 0}};
      if (::futimens(dir.get(), times) != 0) {
        throw_errno("set mtime of", d.path);
      }
    }
  }

  TarReader m_reader;
  std::string m_name;
  Whiteouts m_whiteouts;
  std::optional<OwnerOverride> m_owner;
  UniqueFd m_root;
  bool m_chown = false;
  std::unordered_set<std::string> m_this_layer;
  std::vector<DeferredDir> m_dirs;
  std::vector<char> m_buffer;
  ApplyResult m_result;
};

} // namespace

ApplyResult apply_layer(InputStream& layer, const fs::path& root, const std::string& name,
                        const ApplyOptions& options) {
  return Applier(layer, root, name, options).run();
}

} // namespace core
