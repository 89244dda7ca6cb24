#include "builder/snapshots.h"

#include "core/error.h"
#include "core/file_util.h"
#include "core/layer_apply.h"
#include "core/temp_dir.h"

#include <cerrno>
#include <cstdio>

namespace builder {

namespace fs = std::filesystem;

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

fs::path Snapshots::empty() const {
  fs::path path = m_dir / "empty";
  fs::create_directories(path);
  return path;
}

fs::path Snapshots::scratch_dir() const {
  return m_dir / ".tmp";
}

} // namespace builder
