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

/// Docker's HEALTHCHECK settings; durations in nanoseconds, 0 = unset.
struct HealthConfig {
  std::vector<std::string> test{}; ///< ["CMD-SHELL", "…"], ["NONE"], …
  std::int64_t interval = 0;
  std::int64_t timeout = 0;
  std::int64_t start_period = 0;
  std::int64_t start_interval = 0;
  std::int64_t retries = 0;
  nlohmann::json extra = nlohmann::json::object();
};

/// The "config" member: how a container from this image runs.
struct RunConfig {
  std::string user{};
  std::vector<std::string> exposed_ports{}; ///< keys of "ExposedPorts", sorted
  std::vector<std::string> env{};           ///< "KEY=value"
  std::vector<std::string> entrypoint{};
  std::vector<std::string> cmd{};
  std::vector<std::string> volumes{}; ///< keys of "Volumes", sorted
  std::string working_dir{};
  std::map<std::string, std::string> labels{};
  std::string stop_signal{};
  std::optional<HealthConfig> healthcheck{};
  std::vector<std::string> on_build{}; ///< raw Dockerfile lines
  std::vector<std::string> shell{};
  bool args_escaped = false;
  nlohmann::json extra = nlohmann::json::object(); ///< Hostname, AttachStdin, … kept as read
};

struct RootFs {
  std::string type = "layers";
  std::vector<Digest> diff_ids{}; ///< sha256 of each uncompressed layer, base first
};

/// One step of the image's history, oldest first.
struct HistoryEntry {
  std::string created{}; ///< RFC 3339
  std::string created_by{};
  std::string author{};
  std::string comment{};
  bool empty_layer = false; ///< true: the step made no layer (consumes no diff_id)
  nlohmann::json extra = nlohmann::json::object();
};

/// The image configuration (image-spec config.md plus Docker's superset).
/// Unknown members (e.g. "container_config", "moby.buildkit.cache.v0") are
/// kept in `extra` and written back by serialize().
struct ImageConfig {
  std::string created{};
  std::string author{};
  std::string architecture{};
  std::string os{};
  std::string os_version{};
  std::vector<std::string> os_features{};
  std::string variant{};
  RunConfig config{};
  RootFs rootfs{};
  std::vector<HistoryEntry> history{};
  nlohmann::json extra = nlohmann::json::object();
};

/// Parses a config; `what` names it in errors ("config sha256:…").
ImageConfig parse_image_config(std::string_view bytes, std::string_view what);

/// Canonical JSON, empty optional fields omitted. A config that was parsed and
/// serialised again keeps every member it had (values may be re-encoded).
std::string serialize(const ImageConfig& config);

} // namespace core
