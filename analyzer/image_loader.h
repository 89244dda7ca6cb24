#pragma once

#include "analyzer/analysis.h"
#include "analyzer/layer_scanner.h"

#include <string>
#include <string_view>

namespace analyzer {

/// Options of load_image().
struct LoadOptions {
  unsigned threads = 0;       ///< layer reader threads; 0 = one per core
  bool show_progress = false; ///< a progress line on stderr while layers are read
  ScanOptions scan{};         ///< per-layer options (hook, limits); progress is set here
  /// cbuild's local image store; empty = registry::ImageStore::default_root().
  std::string store_root{};
};

/// Opens `spec` ("image.tar", "oci:DIR[:REF]", "oci-archive:F", "docker-archive:F",
/// or, when no such file exists, an image name or id in cbuild's local store)
/// through core's ImageSource, verifies manifest and config, then reads every
/// layer in parallel (streaming, never extracted) into its file table and
/// checks each diff_id against the config. Throws core::InputError for
/// anything wrong with the image, naming the member and entry.
Image load_image(std::string_view spec, const LoadOptions& options);

} // namespace analyzer
