#include "builder/snapshots.h"

#include "core/error.h"
#include "core/file_util.h"
#include "core/layer_apply.h"
#include "core/tar_reader.h"
#include "core/temp_dir.h"
#include "core/whiteout.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <cerrno>
#include <cstdio>

namespace builder {

namespace fs = std::filesystem;

namespace {

/// apply_layer() drops a layer's whiteouts (nothing lies below an empty
/// dir); a snapshot is an overlay lower dir, so they are written back in
/// overlay's own form: a 0/0 character device, trusted.overlay.opaque=y.
void add_overlay_whiteouts(const core::ContentStore& blobs, const core::Digest& digest,
                           const fs::path& tree) {
  std::unique_ptr<core::InputStream> blob = blobs.open(digest);
  core::TarReader reader(*blob, "layer " + digest.str());
  while (std::optional<core::TarEntry> entry = reader.next()) {
    if (std::optional<std::string> target = core::whiteout_target(entry->path)) {
      fs::path path = tree / *target;
      fs::create_directories(path.parent_path());
      if (::mknod(path.c_str(), S_IFCHR | 0600, makedev(0, 0)) != 0 && errno != EEXIST) {
        core::throw_errno("make whiteout", path.string());
      }
    } else if (std::optional<std::string> dir = core::opaque_whiteout_dir(entry->path)) {
      fs::path path = *dir == "." ? tree : tree / *dir;
      fs::create_directories(path);
      if (::lsetxattr(path.c_str(), "trusted.overlay.opaque", "y", 1, 0) != 0) {
        core::throw_errno("mark opaque", path.string());
      }
    }
  }
}

} // namespace

Snapshots::Snapshots(const registry::ImageStore& store)
    : m_store(store), m_dir(store.root() / "snapshots") {
  fs::create_directories(m_dir / ".tmp");
}

fs::path Snapshots::ensure(const core::Digest& diff_id, const core::Descriptor& layer) const {
  fs::path final_path = m_dir / std::string(diff_id.hex());
  if (fs::is_directory(final_path)) {
    return final_path;
  }
  core::TempDir temp(m_dir / ".tmp", "extract-");
  fs::path tree = temp.path() / "tree";
  fs::create_directory(tree);
  std::unique_ptr<core::InputStream> blob = m_store.blobs().open(layer.digest);
  core::apply_layer(*blob, tree, "layer " + layer.digest.str());
  add_overlay_whiteouts(m_store.blobs(), layer.digest, tree);
  return publish(diff_id, tree);
}

fs::path Snapshots::publish(const core::Digest& diff_id, const fs::path& tree) const {
  fs::path final_path = m_dir / std::string(diff_id.hex());
  ::chmod(tree.c_str(), 0755);
  // The tree becomes the snapshot: rename it, keep the temp dir to clean up.
  if (std::rename(tree.c_str(), final_path.c_str()) != 0) {
    if (errno != EEXIST && errno != ENOTEMPTY) {
      core::throw_errno("publish snapshot", final_path.string());
    }
    // Another build extracted the same layer first; its copy is as good.
  } else {
    core::fsync_directory(m_dir);
  }
  return final_path;
}

std::optional<fs::path> Snapshots::find(const core::Digest& diff_id) const {
  fs::path path = m_dir / std::string(diff_id.hex());
  if (!fs::is_directory(path)) {
    return std::nullopt;
  }
  return path;
}

fs::path Snapshots::empty() const {
  fs::path path = m_dir / "empty";
  fs::create_directories(path);
  return path;
}

fs::path Snapshots::scratch_dir() const {
  return m_dir / ".tmp";
}

} // namespace builder
