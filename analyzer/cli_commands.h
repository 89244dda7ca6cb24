#pragma once
// The read-only subcommands of cscan (layers, tree, history, inspect, diff, rules).

#include "analyzer/analysis.h"

#include <optional>
#include <string>
#include <vector>

namespace analyzer {

/// `cscan layers`: one line a layer: index, size, files, added/modified/removed, instruction.
std::string render_layers(const Image& image, const LayerWalk& walk);

/// `cscan tree`: the merged tree after layer `layer` (default: the last),
/// limited to `prefix`; entries changed by that layer are marked +, ~, -.
std::string render_tree(const Image& image, std::optional<std::uint32_t> layer,
                        const std::string& prefix);

/// `cscan history`: like `docker history --no-trunc`, newest first.
std::string render_history(const Image& image);

/// `cscan inspect`: user, entrypoint, cmd, env (secrets redacted), ports,
/// volumes, labels, healthcheck.
std::string render_inspect(const Image& image);

/// `cscan diff A B`: two images side by side.
std::string render_diff(const Image& a, const Analysis& analysis_a, const Image& b,
                        const Analysis& analysis_b, std::size_t max_items);

/// `cscan rules`: the rule table, then the secret scanner's rules.
std::string render_rules(const std::vector<DynamicRule>& secret_rules);

} // namespace analyzer
