#include "analyzer/dive_efficiency.h"

#include <algorithm>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>

namespace analyzer {
namespace {

constexpr std::string_view k_whiteout_prefix = ".wh.";

/// dive's FileNode, reduced to what its efficiency needs. Nodes created for
/// intermediate path components carry an empty payload (not a dir, size 0).
struct Node {
  std::map<std::string, std::unique_ptr<Node>> children; ///< sorted, as dive visits
  bool is_dir = false;
  std::int64_t size = 0;

  bool is_leaf() const { return children.empty(); }
};

struct Payload {
  bool is_dir = false;
  std::int64_t size = 0;
};

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  while (!path.empty()) {
    std::size_t slash = path.find('/');
    std::string_view part = path.substr(0, slash);
    if (!part.empty())
      parts.emplace_back(part);
    if (slash == std::string_view::npos)
      break;
    path.remove_prefix(slash + 1);
  }
  return parts;
}

/// dive's AddPath: creates missing nodes without payload; the last one gets it.
void add_path(Node& root, const std::vector<std::string>& parts, Payload payload) {
  Node* node = &root;
  for (const std::string& part : parts) {
    auto& child = node->children[part];
    if (!child)
      child = std::make_unique<Node>();
    node = child.get();
  }
  if (node != &root) {
    node->is_dir = payload.is_dir;
    node->size = payload.size;
  }
}

Node* find_node(Node& root, const std::vector<std::string>& parts) {
  Node* node = &root;
  for (const std::string& part : parts) {
    auto it = node->children.find(part);
    if (it == node->children.end())
      return nullptr;
    node = it->second.get();
  }
  return node;
}

void remove_path(Node& root, std::vector<std::string> parts) {
  if (parts.empty())
    return;
  std::string last = parts.back();
  parts.pop_back();
  if (Node* parent = find_node(root, parts))
    parent->children.erase(last);
}

std::int64_t subtree_size(const Node& node) {
  std::int64_t total = node.size;
  for (const auto& [name, child] : node.children)
    total += subtree_size(*child);
  return total;
}

bool is_whiteout_name(std::string_view name) {
  return name.starts_with(k_whiteout_prefix);
}

/// The logical path of a node: whiteout prefixes are dropped from leaves.
std::vector<std::string> logical_parts(std::vector<std::string> parts) {
  if (!parts.empty() && is_whiteout_name(parts.back()))
    parts.back().erase(0, k_whiteout_prefix.size());
  return parts;
}

std::string join_path(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& part : parts)
    out += "/" + part;
  return out.empty() ? "/" : out;
}

/// The per-layer tree dive builds from a layer tar (opaque whiteouts dropped,
/// whiteouts kept under their `.wh.` names).
Node build_layer_tree(const LayerTable& layer) {
  Node root;
  for (const FileEntry& entry : layer.entries) {
    if (entry.type == FileType::opaque_whiteout || entry.path.empty())
      continue;
    std::vector<std::string> parts = split_path(entry.path);
    if (entry.type == FileType::whiteout)
      parts.back().insert(0, k_whiteout_prefix);
    add_path(root, parts,
             Payload{entry.type == FileType::directory, static_cast<std::int64_t>(entry.size)});
  }
  return root;
}

/// Visits every node except the root, children first, in sorted order.
/// Returns false when `visit` asks to stop.
template <typename Visit>
bool visit_child_first(Node& node, std::vector<std::string>& parts, Visit&& visit) {
  for (auto& [name, child] : node.children) {
    parts.push_back(name);
    bool go_on = visit_child_first(*child, parts, visit) && visit(*child, parts);
    parts.pop_back();
    if (!go_on)
      return false;
  }
  return true;
}

/// dive's Stack(): whiteouts remove, every other node (empty payloads of
/// intermediate nodes included) overwrites the payload below.
void stack_onto(Node& stacked, Node& upper) {
  std::vector<std::string> parts;
  visit_child_first(upper, parts, [&](Node& node, const std::vector<std::string>& path) {
    if (is_whiteout_name(path.back()))
      remove_path(stacked, logical_parts(path));
    else
      add_path(stacked, path, Payload{node.is_dir, node.size});
    return true;
  });
}

struct PathData {
  std::uint32_t count = 0;
  std::int64_t cumulative = 0;
  std::int64_t minimum = -1;
};

} // namespace

DiveEfficiency dive_efficiency(std::span<const LayerTable> layers) {
  DiveEfficiency result;
  std::unordered_map<std::string, PathData> paths;
  std::vector<std::string> order; // paths in the order they became inefficient
  Node stacked;
  for (std::size_t index = 0; index < layers.size(); ++index) {
    std::uint64_t layer_size = layers[index].content_size();
    result.image_size += layer_size;
    if (index > 0)
      result.user_size += layer_size;
    Node tree = build_layer_tree(layers[index]);
    std::vector<std::string> parts;
    visit_child_first(tree, parts, [&](Node& node, const std::vector<std::string>& path) {
      if (!node.is_leaf())
        return true;
      std::vector<std::string> logical = logical_parts(path);
      std::string key = join_path(logical);
      PathData& data = paths[key];
      std::int64_t size = node.size;
      if (is_whiteout_name(path.back())) {
        Node* lower = find_node(stacked, logical);
        if (lower == nullptr) {
          // dive's visitor returns an error here and the layer walk stops.
          result.aborted_layers.push_back("layer " + std::to_string(index) + ": " + key);
          return false;
        }
        size = lower->is_dir ? subtree_size(*lower) : 0;
      }
      data.cumulative += size;
      if (data.minimum < 0 || size < data.minimum)
        data.minimum = size;
      if (++data.count == 2)
        order.push_back(key);
      return true;
    });
    stack_onto(stacked, tree);
  }
  std::int64_t minimum_sum = 0, cumulative_sum = 0;
  for (const auto& [path, data] : paths) {
    minimum_sum += data.minimum;
    cumulative_sum += data.cumulative;
  }
  result.efficiency = cumulative_sum == 0 ? 1.0 : static_cast<double>(minimum_sum) / cumulative_sum;
  for (const std::string& path : order) {
    const PathData& data = paths[path];
    result.wasted_bytes += data.cumulative;
    result.inefficient.push_back(DiveInefficientPath{path, data.count, data.cumulative});
  }
  std::stable_sort(result.inefficient.begin(), result.inefficient.end(),
                   [](const auto& a, const auto& b) { return a.cumulative > b.cumulative; });
  // dive divides without a check: 0/0 is NaN (a NaN never fails a '>' gate).
  if (result.user_size != 0)
    result.user_wasted_percent =
        static_cast<double>(result.wasted_bytes) / static_cast<double>(result.user_size);
  else
    result.user_wasted_percent = result.wasted_bytes == 0 ? std::numeric_limits<double>::quiet_NaN()
                                                          : std::numeric_limits<double>::infinity();
  return result;
}

} // namespace analyzer
