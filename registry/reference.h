#pragma once

#include "core/digest.h"

#include <optional>
#include <string>
#include <string_view>

namespace registry {

/// An image reference as Docker reads it: `busybox` is
/// `docker.io/library/busybox:latest`, `host:5000/team/app:v1`, `app@sha256:…`.
struct Reference {
  std::string domain;                 ///< "docker.io", "localhost:5000", "localhost"
  std::string path;                   ///< "library/busybox", "team/app"
  std::string tag;                    ///< "latest" when neither tag nor digest was given
  std::optional<core::Digest> digest; ///< set for name@sha256:… (a tag may be set too)

  /// "docker.io/library/busybox:latest", "host/app@sha256:…", "host/app:v1@sha256:…".
  std::string str() const;
  /// domain + "/" + path, without tag or digest.
  std::string repository() const;
  /// The short form Docker prints: "busybox:latest", "team/app:v1", "host:5000/app:v1".
  std::string familiar() const;

  friend bool operator==(const Reference&, const Reference&) = default;
};

/// Parses and normalises a reference. Throws core::InputError with Docker's
/// wording and what is wrong, e.g.
///   invalid reference format 'Busybox': repository name must be lowercase
Reference parse_reference(std::string_view text);

/// Like parse_reference, but returns nullopt instead of throwing.
std::optional<Reference> try_parse_reference(std::string_view text);

} // namespace registry
