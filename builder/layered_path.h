#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace builder {

/// A path of an image's file system with its symlinks resolved inside it.
struct ResolvedPath {
  std::vector<std::string> parts; ///< components below "/", no symlink among them
  size_t existing = 0;            ///< how many leading parts exist in the layers

  /// "/a/b/c", or "/" for no parts.
  std::string str() const;
  /// The absolute path of the first `count` parts.
  std::string prefix(size_t count) const;
};

/// Resolves `path` (absolute in the image) against `layers` (extracted
/// layers, topmost first, or a single plain root): every symlink, the last
/// one included, is followed inside the image, never to the host; ".." stops
/// at "/". A 0/0 character device (an overlay whiteout) counts as absent.
/// From the first absent component on, the rest is taken literally. Throws
/// core::InputError after 40 symlinks (a loop).
ResolvedPath resolve_in_layers(const std::vector<std::filesystem::path>& layers,
                               const std::string& path);

} // namespace builder
