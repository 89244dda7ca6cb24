#include "dockerfile-parser/suggest.h"

#include <algorithm>

namespace dockerfile {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

} // namespace

size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment: insertions, deletions, substitutions and
  // transpositions of neighbours each cost 1 ("chwon" is 1 from "chown").
  const size_t w = b.size() + 1;
  std::vector<size_t> d((a.size() + 1) * w);
  for (size_t i = 0; i <= a.size(); ++i) {
    d[i * w] = i;
  }
  for (size_t j = 0; j <= b.size(); ++j) {
    d[j] = j;
  }
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      size_t best =
          std::min({d[(i - 1) * w + j] + 1, d[i * w + j - 1] + 1, d[(i - 1) * w + j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        best = std::min(best, d[(i - 2) * w + j - 2] + 1);
      }
      d[i * w + j] = best;
    }
  }
  return d[a.size() * w + b.size()];
}

std::optional<std::string>
suggest(std::string_view word, const std::vector<std::string_view>& candidates, bool ignore_case) {
  if (word.empty() || word.size() > 64) {
    return std::nullopt;
  }
  const std::string w = ignore_case ? lower(word) : std::string(word);
  std::optional<std::string> best;
  size_t best_distance = 0;
  for (std::string_view candidate : candidates) {
    const std::string c = ignore_case ? lower(candidate) : std::string(candidate);
    const size_t d = edit_distance(w, c);
    if (!best || d < best_distance) {
      best = std::string(candidate);
      best_distance = d;
    }
  }
  // Close enough to be a typo: at most a third of the word, and at least one
  // edit allowed for short words ("RUNN" -> "RUN", "--chwon" -> "--chown").
  const size_t limit = std::max<size_t>(2, w.size() / 3);
  if (!best || best_distance == 0 || best_distance > limit) {
    return std::nullopt;
  }
  return best;
}

} // namespace dockerfile
