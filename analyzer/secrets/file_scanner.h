#pragma once

#include "analyzer/secrets/finding.h"
#include "analyzer/secrets/rule_set.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace secrets {

/// What the caller knows about the file it is about to feed.
struct FileContext {
  std::string path{};         ///< path inside the layer, no leading '/'
  int layer_index = -1;       ///< 0-based, -1 if not from a layer
  std::string layer_digest{}; ///< how the caller names the layer
  std::string created_by{};   ///< the instruction that created the layer
};

struct ScanOptions {
  /// Files whose first bytes hold a NUL are scanned by their printable
  /// strings (runs of at least min_string_length printable ASCII bytes).
  std::size_t min_string_length = 8;
  /// Stop reading content after this many bytes of a file; 0: no limit.
  std::uint64_t max_file_bytes = 0;
};

/// Scans one file at a time, fed in chunks of any size. One object per
/// thread: it owns its buffers; the RuleSet is shared read-only.
///
///   scanner.begin_file({.path = "root/.ssh/id_rsa", .layer_index = 3});
///   while (n = read(...)) scanner.feed({buf, n});
///   auto findings = scanner.end_file();
///
/// Content is searched in windows of about 1 MiB cut at line ends; each
/// window re-reads the last 64 KiB (whole lines) of the previous one, so a
/// match split between two chunks, or a multi-line PEM block up to that size,
/// is still found, and found once.
class FileScanner {
public:
  explicit FileScanner(std::shared_ptr<const RuleSet> rules, ScanOptions options = {});

  /// Starts a file: evaluates the path-only rules and path filters.
  void begin_file(const FileContext& context);
  /// Starts a non-file text (a config field, a history entry). Path rules do
  /// not apply; rules tagged "scope:X" run only when `scope` is X; `base` is
  /// copied into every finding.
  void begin_text(const Location& base, std::string_view scope = {});
  /// False when the file's content cannot yield findings (its path is
  /// allowlisted): the caller may skip reading it, but must still call end_file().
  bool wants_content() const noexcept { return m_wants_content; }
  /// Feeds the next bytes of the current file.
  void feed(std::string_view chunk);
  /// Finishes the file and returns its findings, path findings first, then by
  /// position. The scanner is ready for the next begin_file().
  std::vector<Finding> end_file();

  /// begin_file + feed(content) + end_file.
  std::vector<Finding> scan_file(const FileContext& context, std::string_view content);
  /// begin_text + feed(text) + end_file.
  std::vector<Finding> scan_text(const Location& base, std::string_view text,
                                 std::string_view scope = {});

  const RuleSet& rules() const noexcept { return *m_rules; }

  /// Whether the current (or last) file was treated as binary.
  bool is_binary() const noexcept { return m_binary; }

private:
  void start(const Location& base);
  void add_path_findings();
  void append_content(std::string_view chunk);
  void append_strings(std::string_view chunk);
  void flush(bool final);
  void scan_window(std::string_view text);
  void run_rule(std::uint32_t rule_index, std::string_view text, std::size_t begin,
                std::size_t end);
  void add_match(const CompiledRule& rule, std::string_view text, std::size_t start,
                 std::size_t end, std::string_view secret);
  bool is_allowlisted(const CompiledRule& rule, std::string_view secret, std::string_view match,
                      std::string_view line) const;
  std::size_t line_of(std::string_view text, std::size_t offset);
  void drop_shadowed_generics(std::size_t first);

  std::shared_ptr<const RuleSet> m_rules;
  ScanOptions m_options;

  // Per file.
  Location m_base;
  bool m_wants_content = true;
  bool m_started = false;
  bool m_binary = false;
  std::uint64_t m_fed = 0;
  std::vector<std::uint8_t> m_rule_enabled{};
  std::vector<Finding> m_findings{};

  // The window: m_buf[0] is at stream offset m_window_abs, on line m_window_line.
  std::string m_buf{};
  std::string m_run{}; ///< binary mode: a printable run not yet ended
  std::uint64_t m_window_abs = 0;
  std::size_t m_window_line = 1;
  std::uint64_t m_scanned_to = 0;
  std::size_t m_next_flush = 0;

  // Scratch, reused between windows.
  std::vector<KeywordMatcher::Hit> m_hits{};
  std::vector<std::vector<std::uint32_t>> m_rule_hits{}; ///< per rule: keyword end offsets
  std::vector<std::uint32_t> m_touched{};                ///< rules with hits in this window
  std::vector<std::size_t> m_newlines{};
  bool m_newlines_ready = false;
};

} // namespace secrets
