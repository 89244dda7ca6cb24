#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace analyzer {

/// One `history` entry of the image config.
struct HistoryEntry {
  std::string created;
  std::string created_by; ///< the instruction, e.g. "/bin/sh -c #(nop) COPY ..."
  std::string comment;
  bool empty_layer = false;
};

/// The runtime settings of the image config (`config` object).
struct RuntimeConfig {
  std::optional<std::string> user;               ///< unset when the config has no User
  std::vector<std::string> entrypoint, cmd, env; ///< env as "K=V"
  std::vector<std::string> exposed_ports, volumes;
  std::map<std::string, std::string> labels;
  std::optional<std::vector<std::string>> healthcheck; ///< Healthcheck.Test
  std::string working_dir;
  std::vector<std::string> on_build; ///< OnBuild triggers
};

/// One layer as the manifest and config describe it.
struct LayerInfo {
  std::string digest;  ///< of the blob as stored (maybe compressed)
  std::string diff_id; ///< of the uncompressed tar
  std::string media_type;
  std::uint64_t blob_size = 0;
  std::string created_by; ///< from the history entry this layer consumed
  std::optional<std::size_t> history_index;
};

/// Everything but the file tables: what `inspect` and `history` print and
/// what the config checks read.
struct ImageInfo {
  std::string source;        ///< what the user named ("image.tar", "oci:dir:tag")
  std::string format;        ///< "docker-archive", "oci-archive", "oci-layout"
  std::string config_digest; ///< the image id
  std::string architecture, os, created;
  RuntimeConfig config;
  std::vector<HistoryEntry> history;
  std::vector<LayerInfo> layers;
};

/// Parses the image config JSON into `info` (runtime config, history, diff_ids
/// into `info.layers`, which grows to match diff_ids) and maps history to
/// layers (every non-empty entry consumes the next layer; dive's rule).
/// Throws core::InputError naming the field when the config is malformed.
void parse_image_config(std::string_view json, ImageInfo& info);

/// True when an environment variable name looks like it holds a secret
/// (PASSWORD, TOKEN, SECRET, API_KEY, ...).
bool is_secret_name(std::string_view name);

/// "K=V" with V replaced by "<redacted>" when K looks secret.
std::string redact_env(std::string_view entry);

/// The instruction part of a created_by line: strips "/bin/sh -c #(nop) " and
/// "|N ... /bin/sh -c " prefixes so reports show "COPY file:ab12 in /app".
std::string instruction_of(std::string_view created_by);

} // namespace analyzer
