#include "analyzer/layer_walk.h"

#include <algorithm>
#include <set>

namespace analyzer {
namespace {

bool is_directory(FileType type) {
  return type == FileType::directory;
}

/// Applies layers one at a time to a merged tree and records what each hid.
class Walker {
public:
  explicit Walker(std::span<const LayerTable> layers) : m_layers(layers) {
    m_walk.entry_changes.resize(layers.size());
    m_walk.changes.resize(layers.size());
  }

  void apply(std::uint32_t layer) {
    const LayerTable& table = m_layers[layer];
    m_walk.entry_changes[layer].assign(table.entries.size(), EntryChange::added);
    // Whiteouts act only on lower layers, whatever their position in the tar:
    // apply them before any entry of this layer. Deepest first, so a whiteout
    // of a child is not reported dangling because its parent's went first.
    std::vector<std::uint32_t> whiteouts;
    for (std::uint32_t i = 0; i < table.entries.size(); ++i) {
      if (table.entries[i].type == FileType::whiteout)
        whiteouts.push_back(i);
    }
    std::stable_sort(whiteouts.begin(), whiteouts.end(), [&](std::uint32_t a, std::uint32_t b) {
      return table.entries[a].path.size() > table.entries[b].path.size();
    });
    for (std::uint32_t i : whiteouts)
      apply_whiteout(layer, i);
    for (std::uint32_t i = 0; i < table.entries.size(); ++i) {
      if (table.entries[i].type == FileType::opaque_whiteout)
        apply_opaque(layer, i);
    }
    for (std::uint32_t i = 0; i < table.entries.size(); ++i) {
      if (!is_whiteout(table.entries[i].type))
        apply_entry(layer, i);
    }
    resolve_hardlinks(layer);
  }

  LayerWalk finish() {
    std::set<VersionRef> linked;
    for (const auto& [path, file] : m_walk.final_tree) {
      if (file.hardlink_to)
        linked.insert(*file.hardlink_to);
    }
    for (HiddenCopy& copy : m_walk.hidden)
      copy.still_linked = linked.count(copy.version) != 0;
    return std::move(m_walk);
  }

private:
  const FileEntry& entry(VersionRef ref) const { return m_layers[ref.layer].entries[ref.entry]; }

  void hide(std::map<std::string, MergedFile>::iterator it, std::uint32_t layer, HiddenBy how,
            std::optional<VersionRef> by_entry) {
    const VersionRef version = it->second.version;
    if (version.layer < layer && how != HiddenBy::overwritten) {
      LayerChanges& changes = m_walk.changes[layer];
      ++changes.removed_files;
      changes.removed_bytes += entry(version).size;
    }
    m_walk.hidden.push_back(HiddenCopy{.version = version,
                                       .by_layer = layer,
                                       .how = how,
                                       .by_entry = by_entry,
                                       .same_content = false,
                                       .still_linked = false});
    m_walk.final_tree.erase(it);
  }

  /// Hides every path strictly below `dir`; returns how many.
  std::size_t hide_children(const std::string& dir, std::uint32_t layer, HiddenBy how,
                            std::optional<VersionRef> by_entry) {
    std::string prefix = dir.empty() ? std::string() : dir + "/";
    auto& tree = m_walk.final_tree;
    std::size_t count = 0;
    auto it = tree.lower_bound(prefix);
    while (it != tree.end() && it->first.compare(0, prefix.size(), prefix) == 0) {
      auto next = std::next(it);
      if (!it->first.empty()) {
        hide(it, layer, how, by_entry);
        ++count;
      }
      it = next;
    }
    return count;
  }

  void apply_whiteout(std::uint32_t layer, std::uint32_t index) {
    const std::string& target = m_layers[layer].entries[index].path;
    const VersionRef self{layer, index};
    std::size_t count = hide_children(target, layer, HiddenBy::whiteout, self);
    auto it = m_walk.final_tree.find(target);
    if (it != m_walk.final_tree.end()) {
      hide(it, layer, HiddenBy::whiteout, self);
      ++count;
    }
    if (count == 0 || target.empty()) {
      m_walk.entry_changes[layer][index] = EntryChange::dangling;
      m_walk.dangling_whiteouts.push_back(self);
    } else {
      m_walk.entry_changes[layer][index] = EntryChange::removed;
    }
  }

  void apply_opaque(std::uint32_t layer, std::uint32_t index) {
    m_walk.entry_changes[layer][index] = EntryChange::opaque;
    hide_children(m_layers[layer].entries[index].path, layer, HiddenBy::opaque_whiteout,
                  VersionRef{layer, index});
  }

  /// A path under a non-directory: the non-directory goes (tar extraction
  /// replaces it with the directory the new entry needs).
  void replace_non_directory_parents(const std::string& path, std::uint32_t layer) {
    for (std::size_t slash = path.find('/'); slash != std::string::npos;
         slash = path.find('/', slash + 1)) {
      auto it = m_walk.final_tree.find(path.substr(0, slash));
      if (it != m_walk.final_tree.end() && !is_directory(entry(it->second.version).type))
        hide(it, layer, HiddenBy::replaced_parent, std::nullopt);
    }
  }

  void apply_entry(std::uint32_t layer, std::uint32_t index) {
    const FileEntry& added = m_layers[layer].entries[index];
    const VersionRef self{layer, index};
    if (added.path.empty()) {
      m_walk.entry_changes[layer][index] = EntryChange::root;
      return;
    }
    replace_non_directory_parents(added.path, layer);
    auto& tree = m_walk.final_tree;
    auto it = tree.find(added.path);
    bool existed = it != tree.end();
    if (existed) {
      const FileEntry& old = entry(it->second.version);
      if (!(is_directory(old.type) && is_directory(added.type)) && is_directory(old.type))
        hide_children(added.path, layer, HiddenBy::replaced_parent, std::nullopt);
      bool same = is_regular(old.type) && is_regular(added.type) && old.content && added.content &&
                  *old.content == *added.content;
      hide(it, layer, HiddenBy::overwritten, self);
      m_walk.hidden.back().same_content = same;
    }
    tree[added.path] = MergedFile{.version = self, .hardlink_to = std::nullopt};
    LayerChanges& changes = m_walk.changes[layer];
    if (existed) {
      m_walk.entry_changes[layer][index] = EntryChange::modified;
      ++changes.modified_files;
      changes.modified_bytes += added.size;
    } else {
      ++changes.added_files;
      changes.added_bytes += added.size;
    }
  }

  void resolve_hardlinks(std::uint32_t layer) {
    const auto& entries = m_layers[layer].entries;
    for (std::uint32_t i = 0; i < entries.size(); ++i) {
      if (entries[i].type != FileType::hardlink)
        continue;
      auto self = m_walk.final_tree.find(entries[i].path);
      if (self == m_walk.final_tree.end() || self->second.version != VersionRef{layer, i})
        continue;
      auto target = m_walk.final_tree.find(entries[i].link_target);
      if (target == m_walk.final_tree.end())
        continue;
      self->second.hardlink_to =
          target->second.hardlink_to ? *target->second.hardlink_to : target->second.version;
    }
  }

  std::span<const LayerTable> m_layers;
  LayerWalk m_walk;
};

} // namespace

LayerWalk walk_layers(std::span<const LayerTable> layers) {
  Walker walker(layers);
  for (std::uint32_t layer = 0; layer < layers.size(); ++layer)
    walker.apply(layer);
  return walker.finish();
}

std::map<std::string, MergedFile> merged_tree_at(std::span<const LayerTable> layers,
                                                 std::uint32_t last) {
  std::uint32_t count = std::min<std::uint32_t>(last + 1, layers.size());
  return walk_layers(layers.subspan(0, count)).final_tree;
}

} // namespace analyzer
