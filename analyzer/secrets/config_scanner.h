#pragma once

#include "analyzer/secrets/file_scanner.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace secrets {

/// One entry of the image config's history.
struct HistoryEntry {
  std::string created_by{};
  bool empty_layer = false;
  int layer_index = -1; ///< the layer it created, -1 for empty_layer entries
};

/// The parts of an image config where secrets leak, as plain strings.
struct ConfigInput {
  std::vector<std::string> env{}; ///< "NAME=VALUE"
  std::vector<std::pair<std::string, std::string>> labels{};
  std::vector<std::string> cmd{};
  std::vector<std::string> entrypoint{};
  std::vector<std::string> healthcheck{}; ///< Healthcheck.Test
  std::vector<std::string> on_build{};
  std::vector<HistoryEntry> history{};
};

/// The build args Docker and BuildKit record in front of a RUN's created_by:
/// "|2 TOKEN=abc MODE=x /bin/sh -c make" (BuildKit prefixes "RUN ").
struct BuildArgs {
  std::vector<std::pair<std::string, std::string>> args{};
  std::string command{}; ///< what follows the args
};

/// Parses the "|N K=V ..." prefix; nullopt when the line has none.
std::optional<BuildArgs> parse_build_args(std::string_view created_by);

/// The NAME=VALUE assignments of an ENV or ARG instruction recorded in
/// history ("ENV A=1 B=2", "/bin/sh -c #(nop)  ARG TOKEN=x", legacy "ENV A 1").
/// `instruction` is set to "ENV" or "ARG"; nullopt for any other line.
std::optional<std::vector<std::pair<std::string, std::string>>>
parse_env_or_arg(std::string_view created_by, std::string& instruction);

/// Scans the config fields and history. Env and Labels are "NAME=VALUE" texts
/// (scope env); build args and ARG defaults in history are scope build-arg;
/// ENV lines in history are scope env; other created_by lines and
/// Cmd/Entrypoint/Healthcheck/OnBuild are scanned as plain text. Every text's
/// base64 spans that decode to printable text are scanned too, decoded
/// (Finding::encoding "base64"; by-name rules do not run on them). Fix texts are
/// replaced by the one for the place (ENV, build arg). A history ENV finding
/// that repeats a config Env finding (same rule and secret) is dropped.
std::vector<Finding> scan_config(FileScanner& scanner, const ConfigInput& config);

} // namespace secrets
