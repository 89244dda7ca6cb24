#include "builder/cli/table.h"

#include <algorithm>

namespace builder::cli {

namespace {

/// Display width: counts UTF-8 code points, not bytes ("…" is one column).
size_t width_of(const std::string& s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

} // namespace

std::string Table::str() const {
  std::vector<size_t> widths;
  for (const auto& row : m_rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], width_of(row[i]));
    }
  }
  std::string out;
  for (size_t r = m_skip_header ? 1 : 0; r < m_rows.size(); ++r) {
    const auto& row = m_rows[r];
    for (size_t i = 0; i < row.size(); ++i) {
      out += row[i];
      if (i + 1 < row.size()) {
        out.append(widths[i] - width_of(row[i]) + 3, ' ');
      }
    }
    out += '\n';
  }
  return out;
}

} // namespace builder::cli
