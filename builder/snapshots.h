#pragma once

#include "core/digest.h"
#include "core/oci_types.h"
#include "registry/image_store.h"

#include <filesystem>
#include <optional>
#include <vector>

namespace builder {

/// Extracted layers under `<root>/snapshots/<diff_id hex>`, each made once and
/// shared by every build: the read-only lower dirs of RUN's overlay. A layer
/// is extracted into a temp dir next to its final place and renamed there, so
/// a killed build never leaves a half snapshot under a real name.
class Snapshots {
public:
  explicit Snapshots(const registry::ImageStore& store);

  /// The snapshot of the layer `layer` (whose uncompressed digest is
  /// `diff_id`), extracting it first when absent.
  std::filesystem::path ensure(const core::Digest& diff_id, const core::Descriptor& layer) const;

  /// Makes `tree` (a directory on the same file system, e.g. under
  /// scratch_dir()) the snapshot of `diff_id` by renaming it, unless one
  /// exists already. Returns the snapshot's path.
  std::filesystem::path publish(const core::Digest& diff_id,
                                const std::filesystem::path& tree) const;

  /// The snapshot of `diff_id` if it exists (nothing is extracted).
  std::optional<std::filesystem::path> find(const core::Digest& diff_id) const;

  /// An empty directory, the lower dir of a stage without layers.
  std::filesystem::path empty() const;

  /// Where temporary upper/work dirs of RUN steps go (same file system).
  std::filesystem::path scratch_dir() const;

private:
  const registry::ImageStore& m_store;
  std::filesystem::path m_dir;
};

} // namespace builder
