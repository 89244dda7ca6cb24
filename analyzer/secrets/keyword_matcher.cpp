#include "analyzer/secrets/keyword_matcher.h"

#include <algorithm>
#include <cctype>

namespace secrets {

namespace {

constexpr std::uint32_t k_pairs = 1u << 16;
constexpr std::uint32_t k_triple_bits = 17; // a 16 KiB bitmap

std::uint32_t pair_of(std::uint8_t a, std::uint8_t b) {
  return std::uint32_t{a} << 8 | b;
}

/// Hash of three (lower-cased) bytes into k_triple_bits bits.
std::uint32_t triple_of(std::uint32_t pair, std::uint8_t c) {
  return ((pair << 8 | c) * 2654435761u) >> (32 - k_triple_bits);
}

bool test_bit(const std::uint64_t* bits, std::uint32_t i) {
  return (bits[i >> 6] >> (i & 63)) & 1;
}

void set_bit(std::vector<std::uint64_t>& bits, std::uint32_t i) {
  bits[i >> 6] |= std::uint64_t{1} << (i & 63);
}

} // namespace

KeywordMatcher::KeywordMatcher(const std::vector<std::string>& keywords) {
  for (int c = 0; c < 256; ++c) {
    m_lower[c] = static_cast<std::uint8_t>(std::tolower(c));
  }
  m_pair_bits.assign(k_pairs / 64, 0);
  m_triple_bits.assign((1u << k_triple_bits) / 64, 0);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> by_pair; // (pair, keyword)
  for (const auto& keyword : keywords) {
    std::string lower = keyword;
    for (char& c : lower) {
      c = static_cast<char>(m_lower[static_cast<unsigned char>(c)]);
    }
    const auto id = static_cast<std::uint32_t>(m_keywords.size());
    m_keywords.push_back(lower);
    if (lower.size() == 1) {
      m_single_byte.push_back(id);
    } else if (lower.size() >= 2) {
      const std::uint32_t pair =
          pair_of(static_cast<std::uint8_t>(lower[0]), static_cast<std::uint8_t>(lower[1]));
      if (lower.size() == 2) {
        set_bit(m_pair_bits, pair);
      } else {
        set_bit(m_triple_bits, triple_of(pair, static_cast<std::uint8_t>(lower[2])));
      }
      by_pair.emplace_back(pair, id);
    }
  }
  std::sort(by_pair.begin(), by_pair.end());
  m_bucket_begin.assign(k_pairs + 1, 0);
  for (const auto& [pair, id] : by_pair) {
    ++m_bucket_begin[pair + 1];
    m_bucket_keywords.push_back(id);
  }
  for (std::uint32_t p = 0; p < k_pairs; ++p) {
    m_bucket_begin[p + 1] += m_bucket_begin[p];
  }
}

void KeywordMatcher::verify(std::string_view text, size_t at, std::uint32_t pair,
                            std::vector<Hit>& hits) const {
  for (std::uint32_t b = m_bucket_begin[pair]; b < m_bucket_begin[pair + 1]; ++b) {
    const std::uint32_t id = m_bucket_keywords[b];
    const std::string& keyword = m_keywords[id];
    if (at + keyword.size() > text.size()) {
      continue;
    }
    size_t i = 2;
    while (i < keyword.size() && m_lower[static_cast<unsigned char>(text[at + i])] ==
                                     static_cast<unsigned char>(keyword[i])) {
      ++i;
    }
    if (i == keyword.size()) {
      hits.push_back({id, static_cast<std::uint32_t>(at + keyword.size())});
    }
  }
}

void KeywordMatcher::find_all(std::string_view text, std::vector<Hit>& hits) const {
  if (m_keywords.empty() || text.empty()) {
    return;
  }
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  const std::uint64_t* pairs = m_pair_bits.data();
  const std::uint64_t* triples = m_triple_bits.data();
  const size_t size = text.size();
  // Keywords of 3+ bytes are screened by their first three bytes, 2-byte ones
  // by both; a false positive of the hash only costs a comparison. Each
  // offset is computed from scratch (no loop-carried state) so iterations overlap.
  auto screen = [&](size_t i, std::uint32_t third) {
    const std::uint32_t pair = pair_of(m_lower[bytes[i]], m_lower[bytes[i + 1]]);
    if (test_bit(triples, triple_of(pair, static_cast<std::uint8_t>(third))) |
        test_bit(pairs, pair)) [[unlikely]] {
      verify(text, i, pair, hits);
    }
  };
  size_t i = 0;
  for (; i + 2 < size; ++i) {
    screen(i, m_lower[bytes[i + 2]]);
  }
  if (i + 1 < size) {
    screen(i, 0);
  }
  if (!m_single_byte.empty()) {
    for (size_t at = 0; at < size; ++at) {
      for (std::uint32_t id : m_single_byte) {
        if (m_lower[bytes[at]] == static_cast<std::uint8_t>(m_keywords[id][0])) {
          hits.push_back({id, static_cast<std::uint32_t>(at + 1)});
        }
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
