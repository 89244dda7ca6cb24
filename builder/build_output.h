#pragma once

#include "core/oci_types.h"
#include "registry/image_store.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace builder {

/// Where `cbuild build -o` puts the result, besides the local store.
struct OutputSpec {
  enum class Type {
    oci,        ///< an OCI archive (tar)
    oci_layout, ///< an OCI image layout directory (type=oci-layout, or type=oci,tar=false)
    docker, ///< a docker-archive (`docker load` input)
    local,  ///< the final file system, unpacked into a directory
    tar,    ///< the final file system as one tar
  };
  Type type = Type::local;
  std::string dest;               ///< file or directory; "-" is stdout (archive types only)
  std::vector<std::string> names; ///< name=…, comma-separated in docker's syntax
};

/// Parses an -o value as docker buildx does: "type=oci,dest=img.tar",
/// "type=docker,dest=img.tar,name=app:1", "type=local,dest=out",
/// "type=tar,dest=fs.tar", "type=oci-layout,dest=dir" (also BuildKit's
/// "type=oci,dest=dir,tar=false"); a bare "-" means type=tar to stdout, a bare
/// path type=local. Throws core::InputError naming the bad part.
OutputSpec parse_output(const std::string& text);

/// Writes the image `manifest` (in `store`) as `spec` says. `tags` name the
/// image in archives when the spec has no name=. A file is written under a
/// temp name and renamed; "-" streams the result to stdout.
void write_output(const registry::ImageStore& store, const core::Descriptor& manifest,
                  const OutputSpec& spec, const std::vector<std::string>& tags);

} // namespace builder
