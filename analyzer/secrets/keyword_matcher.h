#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace secrets {

/// Aho-Corasick automaton over lower-cased bytes: finds which of a fixed set
/// of keywords occur in a text in one pass. Built once, then read-only and
/// safe to share between threads. The DFA is dense over byte classes (each
/// byte that occurs in some keyword gets a class, all others share class 0),
/// so a step is one table load.
class KeywordMatcher {
public:
  KeywordMatcher() = default;
  /// Keywords are lower-cased here; matching ignores ASCII case. Empty
  /// keywords are ignored.
  explicit KeywordMatcher(const std::vector<std::string>& keywords);

  /// One occurrence: keyword id and the offset just past its last byte.
  struct Hit {
    std::uint32_t keyword;
    std::uint32_t end;
  };

  /// Appends every occurrence of every keyword in `text` (at most 4 GiB) to
  /// `hits`, in order of their end offset.
  void find_all(std::string_view text, std::vector<Hit>& hits) const;

  /// Sets found[k] = 1 for every keyword k that occurs in `text`. `found` must
  /// have keyword_count() entries. Returns how many new keywords were marked.
  size_t find(std::string_view text, std::vector<std::uint8_t>& found) const;

  size_t keyword_count() const noexcept { return m_keyword_count; }

private:
  size_t m_keyword_count = 0;
  std::uint32_t m_class_count = 1;
  std::uint8_t m_class_of[256] = {};
  std::vector<std::uint32_t> m_next;         ///< state * class_count + class -> state
  std::vector<std::uint32_t> m_output_begin; ///< per state, into m_outputs; size states+1
  std::vector<std::uint32_t> m_outputs;      ///< keyword ids, incl. those via fail links
};

} // namespace secrets
