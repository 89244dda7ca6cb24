#include "builder/layer_diff.h"

#include "core/error.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <string>

namespace builder {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view k_overlay_prefix = "trusted.overlay.";

bool is_opaque(const fs::path& dir) {
  char value[4] = {};
  ssize_t n = ::lgetxattr(dir.c_str(), "trusted.overlay.opaque", value, sizeof value);
  return n == 1 && value[0] == 'y';
}

/// Removes every trusted.overlay.* xattr of `path`.
void strip_overlay_xattrs(const fs::path& path) {
  char names[4096];
  ssize_t len = ::llistxattr(path.c_str(), names, sizeof names);
  if (len <= 0) {
    return;
  }
  std::string_view all(names, static_cast<size_t>(len));
  for (size_t pos = 0; pos < all.size();) {
    size_t end = all.find('\0', pos);
    std::string name(all.substr(pos, end - pos));
    pos = end + 1;
    if (name.starts_with(k_overlay_prefix)) {
      ::lremovexattr(path.c_str(), name.c_str());
    }
  }
}

bool is_whiteout_device(const struct stat& st) {
  return S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
}

struct Walker {
  const std::vector<fs::path>& lower_dirs;
  core::LayerWriter& layer;
  DiffSummary summary;

  void walk(const fs::path& dir, const std::string& prefix) {
    for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
      std::string rel = prefix + entry.path().filename().string();
      struct stat st {};
      if (::lstat(entry.path().c_str(), &st) != 0) {
        core::throw_errno("stat", entry.path().string());
      }
      if (is_whiteout_device(st)) {
        layer.add_whiteout(rel);
        ++summary.whiteouts;
        continue;
      }
      if (!S_ISDIR(st.st_mode)) {
        strip_overlay_xattrs(entry.path());
        layer.add_path(rel, entry.path());
        ++summary.entries;
        continue;
      }
      add_dir(entry.path(), rel, st);
    }
  }

  void add_dir(const fs::path& path, const std::string& rel, const struct stat& st) {
    bool opaque = is_opaque(path);
    bool copy_up_only = is_copy_up_only(path, st, rel, lower_dirs);
    strip_overlay_xattrs(path);
    if (copy_up_only) {
      ++summary.skipped_dirs;
      return;
    }
    layer.add_path(rel, path);
    ++summary.entries;
    if (opaque) {
      layer.add_opaque_whiteout(rel);
      ++summary.whiteouts;
    }
    walk(path, rel + "/");
  }
};

} // namespace

bool is_copy_up_only(const fs::path& dir, const struct stat& st, const std::string& rel,
                     const std::vector<fs::path>& lower_dirs) {
  if (!S_ISDIR(st.st_mode) || !fs::is_empty(dir) || is_opaque(dir)) {
    return false;
  }
  for (const fs::path& lower : lower_dirs) {
    struct stat below {};
    if (::lstat((lower / rel).c_str(), &below) == 0) {
      return S_ISDIR(below.st_mode) && below.st_mode == st.st_mode && below.st_uid == st.st_uid &&
             below.st_gid == st.st_gid;
    }
  }
  return false;
}

DiffSummary layer_from_upper(const fs::path& upper, const std::vector<fs::path>& lower_dirs,
                             core::LayerWriter& layer) {
  Walker walker{lower_dirs, layer, {}};
  walker.walk(upper, "");
  return walker.summary;
}

} // namespace builder
