#pragma once

#include "core/digest.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace core {

class JsonContext;

/// The platform an image runs on (image-index.md).
struct Platform {
  std::string architecture{};             ///< "amd64", "arm64", …
  std::string os{};                       ///< "linux"
  std::string os_version{};               ///< "os.version", Windows only
  std::vector<std::string> os_features{}; ///< "os.features"
  std::string variant{};                  ///< "v8" for arm64, …
  std::vector<std::string> features{};
  nlohmann::json extra = nlohmann::json::object(); ///< unknown members, kept on round trip

  /// True when architecture and os match and `variant` is empty or equal.
  bool matches(const Platform& wanted) const;
  /// "os/architecture[/variant]".
  std::string str() const;
};

/// The platform of this machine (linux/<uname machine mapped to GOARCH>).
Platform host_platform();

/// Points at a blob: media type, digest and size (descriptor.md).
struct Descriptor {
  std::string media_type{};
  Digest digest;
  std::int64_t size = 0;
  std::vector<std::string> urls{};
  std::map<std::string, std::string> annotations{};
  std::optional<Platform> platform{};
  std::string artifact_type{};
  std::string data{}; ///< base64 embedded content, as written
  nlohmann::json extra = nlohmann::json::object();

  /// The annotation `key`, or nullopt.
  std::optional<std::string> annotation(std::string_view key) const;
};

/// An image index / Docker manifest list.
struct Index {
  int schema_version = 2;
  std::string media_type{}; ///< may be empty in an OCI index
  std::string artifact_type{};
  std::vector<Descriptor> manifests{};
  std::optional<Descriptor> subject{};
  std::map<std::string, std::string> annotations{};
  nlohmann::json extra = nlohmann::json::object();
};

/// An image manifest (OCI or Docker v2 schema 2).
struct Manifest {
  int schema_version = 2;
  std::string media_type{}; ///< may be empty in an OCI manifest
  std::string artifact_type{};
  Descriptor config;
  std::vector<Descriptor> layers{}; ///< base layer first
  std::optional<Descriptor> subject{};
  std::map<std::string, std::string> annotations{};
  nlohmann::json extra = nlohmann::json::object();
};

/// Parses a descriptor object at `ctx`. Throws InputError naming the field.
Descriptor parse_descriptor(const nlohmann::json& value, const JsonContext& ctx);
nlohmann::json descriptor_to_json(const Descriptor& d);

Platform parse_platform(const nlohmann::json& value, const JsonContext& ctx);
nlohmann::json platform_to_json(const Platform& p);

/// Parses manifest JSON; `what` names it in errors ("manifest sha256:…").
/// Throws InputError("<what>: field 'layers[2].digest': invalid digest …").
Manifest parse_manifest(std::string_view bytes, std::string_view what);
/// Parses index JSON (index.json, an OCI index or a Docker manifest list).
Index parse_index(std::string_view bytes, std::string_view what);

/// Canonical JSON (sorted keys, compact, empty optional fields omitted).
std::string serialize(const Manifest& m);
std::string serialize(const Index& i);

/// The media type of a manifest/index document, read from its "mediaType"
/// member, or guessed from its shape ("manifests" → OCI index, "layers" or
/// "config" → OCI manifest). Empty when it cannot tell.
std::string sniff_media_type(std::string_view json_bytes);

} // namespace core
