#include "analyzer/secrets/keyword_matcher.h"

#include <algorithm>
#include <cctype>
#include <deque>

namespace secrets {

namespace {

constexpr std::uint32_t k_has_output = std::uint32_t{1} << 31;

unsigned char lower(unsigned char c) {
  return static_cast<unsigned char>(std::tolower(c));
}

/// The trie while it is built: sparse children, then flattened.
struct TrieNode {
  std::vector<std::pair<std::uint8_t, std::uint32_t>> children; ///< class -> node
  std::vector<std::uint32_t> outputs;
  std::uint32_t fail = 0;
};

std::uint32_t child_of(const TrieNode& node, std::uint8_t cls) {
  for (const auto& [c, next] : node.children) {
    if (c == cls) {
      return next;
    }
  }
  return 0;
}

} // namespace

KeywordMatcher::KeywordMatcher(const std::vector<std::string>& keywords)
    : m_keyword_count(keywords.size()) {
  // Byte classes: one per distinct lower-cased byte used by a keyword; the
  // upper-case form maps to the same class so matching ignores case.
  for (const auto& keyword : keywords) {
    for (unsigned char c : keyword) {
      unsigned char l = lower(c);
      if (m_class_of[l] == 0) {
        m_class_of[l] = static_cast<std::uint8_t>(m_class_count++);
      }
    }
  }
  for (int c = 'A'; c <= 'Z'; ++c) {
    m_class_of[c] = m_class_of[lower(static_cast<unsigned char>(c))];
  }

  std::vector<TrieNode> trie(1);
  for (std::uint32_t k = 0; k < keywords.size(); ++k) {
    if (keywords[k].empty()) {
      continue;
    }
    std::uint32_t node = 0;
    for (unsigned char c : keywords[k]) {
      std::uint8_t cls = m_class_of[lower(c)];
      std::uint32_t next = child_of(trie[node], cls);
      if (next == 0) {
        next = static_cast<std::uint32_t>(trie.size());
        trie[node].children.emplace_back(cls, next);
        trie.emplace_back();
      }
      node = next;
    }
    trie[node].outputs.push_back(k);
  }

  // Breadth-first: fail links, inherited outputs, and the dense goto table.
  const size_t width = m_class_count;
  m_next.assign(trie.size() * width, 0);
  std::deque<std::uint32_t> queue;
  for (const auto& [cls, child] : trie[0].children) {
    m_next[cls] = child;
    queue.push_back(child);
  }
  while (!queue.empty()) {
    std::uint32_t node = queue.front();
    queue.pop_front();
    const auto& inherited = trie[trie[node].fail].outputs;
    trie[node].outputs.insert(trie[node].outputs.end(), inherited.begin(), inherited.end());
    for (size_t cls = 0; cls < width; ++cls) {
      std::uint32_t child = child_of(trie[node], static_cast<std::uint8_t>(cls));
      if (child != 0 && cls != 0) {
        trie[child].fail = m_next[trie[node].fail * width + cls];
        m_next[node * width + cls] = child;
        queue.push_back(child);
      } else {
        m_next[node * width + cls] = m_next[trie[node].fail * width + cls];
      }
    }
  }

  // Store row offsets instead of state numbers, and flag the states that end
  // a keyword, so the scan loop is one load, one add and one test per byte.
  for (auto& next : m_next) {
    const std::uint32_t state = next;
    next = static_cast<std::uint32_t>(state * width);
    if (!trie[state].outputs.empty()) {
      next |= k_has_output;
    }
  }

  m_output_begin.reserve(trie.size() + 1);
  for (auto& node : trie) {
    m_output_begin.push_back(static_cast<std::uint32_t>(m_outputs.size()));
    std::sort(node.outputs.begin(), node.outputs.end());
    node.outputs.erase(std::unique(node.outputs.begin(), node.outputs.end()), node.outputs.end());
    m_outputs.insert(m_outputs.end(), node.outputs.begin(), node.outputs.end());
  }
  m_output_begin.push_back(static_cast<std::uint32_t>(m_outputs.size()));
}

void KeywordMatcher::find_all(std::string_view text, std::vector<Hit>& hits) const {
  if (m_next.empty()) {
    return;
  }
  const std::uint32_t* next = m_next.data();
  const std::uint8_t* class_of = m_class_of;
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const size_t size = text.size();
  const std::uint32_t width = m_class_count;
  std::uint32_t row = 0;
  for (size_t i = 0; i < size; ++i) {
    const std::uint32_t entry = next[row + class_of[bytes[i]]];
    row = entry & ~k_has_output;
    if (entry & k_has_output) [[unlikely]] {
      const std::uint32_t state = row / width;
      for (std::uint32_t o = m_output_begin[state]; o < m_output_begin[state + 1]; ++o) {
        hits.push_back({m_outputs[o], static_cast<std::uint32_t>(i + 1)});
      }
    }
  }
}

size_t KeywordMatcher::find(std::string_view text, std::vector<std::uint8_t>& found) const {
  std::vector<Hit> hits;
  find_all(text, hits);
  size_t marked = 0;
  for (const Hit& hit : hits) {
    if (!found[hit.keyword]) {
      found[hit.keyword] = 1;
      ++marked;
    }
  }
  return marked;
}

} // namespace secrets
