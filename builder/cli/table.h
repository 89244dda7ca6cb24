#pragma once

#include <string>
#include <vector>

namespace builder::cli {

/// Prints rows as aligned columns separated by three spaces, like docker's
/// tabwriter output. The last column is never padded.
class Table {
public:
  explicit Table(std::vector<std::string> header) { m_rows.push_back(std::move(header)); }
  void add(std::vector<std::string> row) { m_rows.push_back(std::move(row)); }
  /// Drops the header row (for --quiet style output).
  void without_header() { m_skip_header = true; }
  std::string str() const;

private:
  std::vector<std::vector<std::string>> m_rows;
  bool m_skip_header = false;
};

} // namespace builder::cli
