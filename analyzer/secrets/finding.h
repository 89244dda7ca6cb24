#pragma once

#include "analyzer/secrets/rule.h"

#include <cstddef>
#include <string>
#include <string_view>

namespace secrets {

/// Which part of an image a finding lives in.
enum class Origin {
  file,    ///< the content (or the mere presence) of a file in a layer
  config,  ///< a field of the image config: Env, Labels, Cmd, Entrypoint, Healthcheck, OnBuild
  history, ///< a history entry's created_by (build args, ENV/ARG instructions)
};

std::string_view origin_name(Origin origin);

/// Where a finding lives. Layer fields are filled by whoever feeds the scanner
/// (FileContext); the scanner fills the position.
struct Location {
  Origin origin = Origin::file;
  std::string path{};         ///< file path in the layer (no leading '/'); empty for config/history
  int layer_index = -1;       ///< 0-based layer position; -1 when not in a layer
  std::string layer_digest{}; ///< digest (or diff_id) of that layer, as the caller names it
  std::string created_by{};   ///< the instruction that created the layer or history entry
  std::size_t line = 0;       ///< 1-based line of the match start; 0 when not applicable
  std::size_t column = 0;     ///< 1-based byte column of the match start; 0 when not applicable
  bool in_binary = false;     ///< found in the printable strings of a binary file (line is 0)
  std::string field{};        ///< config: "Env", "Labels", ...; history: "history"
  std::string key{};          ///< config/history: the variable, label or build-arg name
  int history_index = -1;     ///< history: 0-based entry index
};

/// Whether a secret found in a layer is still in the final file system. The
/// scanner cannot know; the layer walk fills it in.
enum class Presence { unknown, present, deleted, overwritten };

/// One secret found. `secret` and `match` hold the raw text for matching and
/// fingerprints; print `redacted` unless the user asked for --show-secrets.
struct Finding {
  std::string rule_id{};
  std::string description{};
  Severity severity = Severity::high;
  std::string fix{}; ///< the rule's fix text
  Location location;
  std::string secret{};      ///< raw secret (a capture group or the whole match); may be empty
  std::string match{};       ///< raw match, trimmed of surrounding newlines
  std::string redacted{};    ///< the match with the secret masked, single line, short
  double entropy = 0;        ///< Shannon entropy of `secret`
  std::string fingerprint{}; ///< see fingerprint(); stable across rebuilds
  Presence presence = Presence::unknown;
  int removed_in_layer = -1; ///< deleted/overwritten: the layer that did it
  std::string removed_by{};  ///< deleted/overwritten: that layer's created_by
  std::string encoding{};    ///< "base64" when found in a decoded span, else empty
  std::string encoded{};     ///< that span as written (raw: mask it like the secret)
};

/// Shannon entropy in bits per byte: -sum p_c log2 p_c over byte counts.
double shannon_entropy(std::string_view text);

/// Masks a secret: keeps a short prefix (at most 4 characters and at most a
/// quarter of the secret) and replaces the rest with "*****" (a fixed count,
/// so the length does not leak either).
std::string redact_secret(std::string_view secret);

/// A single-line, at most ~100 character rendering of `match` with every
/// occurrence of `secret` masked by redact_secret().
std::string redact_match(std::string_view match, std::string_view secret);

/// sha256 hex of "rule_id \0 secret \0 location key". The location key is the
/// file path, or "config:<field>:<key>", or "history:<key>", never a layer
/// index or a line, so a rebuild that moves the layer keeps the fingerprint.
std::string fingerprint(std::string_view rule_id, std::string_view secret,
                        const Location& location);

/// "layer 4 (RUN …)", "config Env PASSWORD", "history #3 build-arg TOKEN":
/// one short phrase for text reports.
std::string describe_location(const Location& location);

} // namespace secrets
