#include "analyzer/waste.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

namespace analyzer {
namespace {

/// Paths are matched as "<segment-aligned substring>" so both /root/.cache/pip
/// and /home/app/.cache/pip count. `anchored` patterns must start the path.
struct LeftoverPattern {
  std::string_view text;
  bool anchored;
  const LeftoverCategory* category;
};

constexpr LeftoverCategory k_apt_lists{"apt-lists", "apt package lists",
                                       "run `rm -rf /var/lib/apt/lists/*` in the same RUN as "
                                       "`apt-get update`"};
constexpr LeftoverCategory k_apt_archives{"apt-archives", "downloaded .deb archives",
                                          "run `apt-get clean` in the same RUN as `apt-get "
                                          "install`, or use a cache mount"};
constexpr LeftoverCategory k_rpm_cache{"dnf-yum-cache", "dnf/yum cache",
                                       "run `dnf clean all` (or `yum clean all`) in the same RUN"};
constexpr LeftoverCategory k_apk_cache{"apk-cache", "apk cache", "use `apk add --no-cache`"};
constexpr LeftoverCategory k_pip_cache{"pip-cache", "pip cache",
                                       "use `pip install --no-cache-dir` or a cache mount"};
constexpr LeftoverCategory k_npm_cache{"npm-cache", "npm/yarn cache",
                                       "run `npm cache clean --force` / `yarn cache clean` in the "
                                       "same RUN, or use a cache mount"};
constexpr LeftoverCategory k_go_cache{"go-cache", "Go build and module cache",
                                      "build in a separate stage, or use "
                                      "`RUN --mount=type=cache,target=/root/.cache/go-build`"};
constexpr LeftoverCategory k_tmp{"tmp", "temporary files",
                                 "remove temporary files in the RUN that creates them"};

constexpr LeftoverPattern k_patterns[] = {
    {"var/lib/apt/lists/", true, &k_apt_lists},
    {"var/cache/apt/", true, &k_apt_archives},
    {"var/cache/dnf/", true, &k_rpm_cache},
    {"var/cache/yum/", true, &k_rpm_cache},
    {"var/cache/apk/", true, &k_apk_cache},
    {".cache/pip/", false, &k_pip_cache},
    {".npm/", false, &k_npm_cache},
    {".cache/yarn/", false, &k_npm_cache},
    {".cache/go-build/", false, &k_go_cache},
    {"go/pkg/mod/cache/", false, &k_go_cache},
    {"tmp/", true, &k_tmp},
    {"var/tmp/", true, &k_tmp},
};

bool matches(std::string_view path, const LeftoverPattern& pattern) {
  if (pattern.anchored)
    return path.starts_with(pattern.text) && path.size() > pattern.text.size();
  for (std::size_t at = path.find(pattern.text); at != std::string_view::npos;
       at = path.find(pattern.text, at + 1)) {
    if ((at == 0 || path[at - 1] == '/') && path.size() > at + pattern.text.size())
      return true;
  }
  return false;
}

WasteKind kind_of(const HiddenCopy& copy) {
  if (copy.how != HiddenBy::overwritten)
    return WasteKind::deleted;
  return copy.same_content ? WasteKind::rewritten : WasteKind::replaced;
}

void keep_largest_examples(WastePair& pair, const std::string& path, std::uint64_t size,
                           std::vector<std::uint64_t>& sizes) {
  // Insertion into a 3-slot list sorted by size, largest first.
  auto pos = std::upper_bound(sizes.begin(), sizes.end(), size, std::greater<>());
  auto index = pos - sizes.begin();
  if (index >= 3)
    return;
  sizes.insert(pos, size);
  pair.examples.insert(pair.examples.begin() + index, "/" + path);
  if (sizes.size() > 3) {
    sizes.pop_back();
    pair.examples.pop_back();
  }
}

void attribute_hidden(std::span<const LayerTable> layers, const LayerWalk& walk, Waste& waste) {
  using Key = std::tuple<std::uint32_t, std::uint32_t, WasteKind>;
  std::map<Key, std::pair<WastePair, std::vector<std::uint64_t>>> pairs;
  for (const HiddenCopy& copy : walk.hidden) {
    const FileEntry& entry = layers[copy.version.layer].entries[copy.version.entry];
    if (copy.still_linked || entry.size == 0)
      continue;
    WasteKind kind = kind_of(copy);
    waste.reclaimable += entry.size;
    (kind == WasteKind::rewritten  ? waste.rewritten_bytes
     : kind == WasteKind::replaced ? waste.replaced_bytes
                                   : waste.deleted_bytes) += entry.size;
    auto& [pair, sizes] = pairs[Key{copy.version.layer, copy.by_layer, kind}];
    pair.written_layer = copy.version.layer;
    pair.hidden_by_layer = copy.by_layer;
    pair.kind = kind;
    pair.bytes += entry.size;
    ++pair.files;
    keep_largest_examples(pair, entry.path, entry.size, sizes);
  }
  for (auto& [key, value] : pairs)
    waste.pairs.push_back(std::move(value.first));
  std::stable_sort(waste.pairs.begin(), waste.pairs.end(),
                   [](const WastePair& a, const WastePair& b) { return a.bytes > b.bytes; });
}

struct HashKey {
  std::size_t operator()(const ContentHash& hash) const noexcept {
    std::size_t out = 0;
    for (std::size_t i = 0; i < sizeof(out); ++i)
      out = (out << 8) | hash[i];
    return out;
  }
};

void find_duplicates(std::span<const LayerTable> layers, Waste& waste) {
  std::unordered_map<ContentHash, DuplicateContent, HashKey> by_hash;
  for (std::uint32_t layer = 0; layer < layers.size(); ++layer) {
    const auto& entries = layers[layer].entries;
    for (std::uint32_t i = 0; i < entries.size(); ++i) {
      const FileEntry& entry = entries[i];
      if (!is_regular(entry.type) || !entry.content || entry.size < k_duplicate_min_size)
        continue;
      DuplicateContent& dup = by_hash[*entry.content];
      dup.hash = *entry.content;
      dup.size = entry.size;
      dup.copies.push_back(VersionRef{layer, i});
    }
  }
  for (auto& [hash, dup] : by_hash) {
    std::set<std::uint32_t> distinct_layers;
    for (const VersionRef& copy : dup.copies)
      distinct_layers.insert(copy.layer);
    if (distinct_layers.size() >= 2)
      waste.duplicates.push_back(std::move(dup));
  }
  std::sort(waste.duplicates.begin(), waste.duplicates.end(),
            [](const DuplicateContent& a, const DuplicateContent& b) {
              if (a.extra_bytes() != b.extra_bytes())
                return a.extra_bytes() > b.extra_bytes();
              return a.hash < b.hash;
            });
}

void find_leftovers(std::span<const LayerTable> layers, const LayerWalk& walk, Waste& waste) {
  std::map<std::pair<std::uint32_t, std::string>, std::pair<Leftover, std::uint64_t>> groups;
  for (std::uint32_t layer = 0; layer < layers.size(); ++layer) {
    const auto& entries = layers[layer].entries;
    for (std::uint32_t i = 0; i < entries.size(); ++i) {
      const FileEntry& entry = entries[i];
      if (!is_regular(entry.type))
        continue;
      const LeftoverCategory* category = leftover_category(entry.path);
      if (category == nullptr)
        continue;
      auto& [group, largest] = groups[{layer, category->id}];
      group.category = category->id;
      group.layer = layer;
      group.bytes += entry.size;
      ++group.files;
      auto visible = walk.final_tree.find(entry.path);
      if (visible != walk.final_tree.end() && visible->second.version == VersionRef{layer, i})
        group.still_visible = true;
      if (group.example.empty() || entry.size > largest) {
        group.example = "/" + entry.path;
        largest = entry.size;
      }
    }
  }
  for (auto& [key, value] : groups)
    waste.leftovers.push_back(std::move(value.first));
  std::stable_sort(waste.leftovers.begin(), waste.leftovers.end(),
                   [](const Leftover& a, const Leftover& b) { return a.bytes > b.bytes; });
}

} // namespace

const LeftoverCategory* leftover_category(std::string_view path) {
  for (const LeftoverPattern& pattern : k_patterns) {
    if (matches(path, pattern))
      return pattern.category;
  }
  return nullptr;
}

Waste compute_waste(std::span<const LayerTable> layers, const LayerWalk& walk) {
  Waste waste;
  for (const LayerTable& layer : layers)
    waste.image_size += layer.content_size();
  attribute_hidden(layers, walk, waste);
  waste.efficiency = waste.image_size == 0
                         ? 1.0
                         : static_cast<double>(waste.image_size - waste.reclaimable) /
                               static_cast<double>(waste.image_size);
  find_duplicates(layers, waste);
  find_leftovers(layers, walk, waste);
  waste.dangling_whiteouts = walk.dangling_whiteouts;
  return waste;
}

} // namespace analyzer
