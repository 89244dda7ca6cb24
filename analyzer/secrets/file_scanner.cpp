#include "analyzer/secrets/file_scanner.h"

#include <re2/re2.h>

#include <algorithm>
#include <cstring>
#include <tuple>

namespace secrets {

namespace {

constexpr std::size_t k_window = std::size_t{1} << 20;
constexpr std::size_t k_overlap = std::size_t{64} << 10;
/// A window with no line end at all is cut anyway at this size.
constexpr std::size_t k_max_line_window = 4 * k_window;
/// Bytes looked at to decide whether a file is binary (as git and grep do).
constexpr std::size_t k_sniff_bytes = 8000;
/// A printable run longer than this is emitted in pieces.
constexpr std::size_t k_max_run = 64 << 10;

bool within(std::size_t a, std::size_t b, int limit) {
  return limit < 0 || (a > b ? a - b : b - a) <= static_cast<std::size_t>(limit);
}

/// gitleaks' composite rules: a finding of a rule with [[rules.required]]
/// stays only when every required rule also matched in this file or text
/// (within its line/column limits); then findings of skipReport rules go.
void apply_required(const RuleSet& rules, std::vector<Finding>& findings) {
  std::vector<Finding> kept;
  for (const Finding& finding : findings) {
    int index = rules.find(finding.rule_id);
    if (index < 0) {
      kept.push_back(finding);
      continue;
    }
    const Rule& rule = rules.rules()[static_cast<std::size_t>(index)].spec;
    auto satisfied = [&](const RequiredRule& required) {
      return std::any_of(findings.begin(), findings.end(), [&](const Finding& other) {
        return other.rule_id == required.id &&
               within(other.location.line, finding.location.line, required.within_lines) &&
               within(other.location.column, finding.location.column, required.within_columns);
      });
    };
    if (!rule.skip_report && std::all_of(rule.required.begin(), rule.required.end(), satisfied)) {
      kept.push_back(finding);
    }
  }
  findings = std::move(kept);
}

bool is_printable(unsigned char c) {
  return (c >= 0x20 && c < 0x7f) || c == '\t';
}

std::string_view trim_newlines(std::string_view text, std::size_t& start) {
  while (!text.empty() && (text.front() == '\n' || text.front() == '\r')) {
    text.remove_prefix(1);
    ++start;
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

} // namespace

FileScanner::FileScanner(std::shared_ptr<const RuleSet> rules, ScanOptions options)
    : m_rules(std::move(rules)), m_options(options) {
  m_rule_enabled.resize(m_rules->rules().size());
  m_rule_hits.resize(m_rules->rules().size());
}

void FileScanner::start(const Location& base) {
  m_base = base;
  m_started = true;
  m_binary = false;
  m_fed = 0;
  m_findings.clear();
  m_buf.clear();
  m_run.clear();
  m_window_abs = 0;
  m_window_line = 1;
  m_scanned_to = 0;
  m_next_flush = k_window;
  m_wants_content = true;
}

void FileScanner::begin_file(const FileContext& context) {
  Location base;
  base.origin = Origin::file;
  base.path = context.path;
  base.layer_index = context.layer_index;
  base.layer_digest = context.layer_digest;
  base.created_by = context.created_by;
  start(base);

  const auto& rules = m_rules->rules();
  for (const auto& allowlist : m_rules->allowlists()) {
    // A global allowlist that holds on the path alone drops the whole file.
    if (allowlist.spec.target_rules.empty() && allowlist.matches_path(base.path) &&
        (allowlist.spec.condition == AllowlistCondition::any ||
         !allowlist.has_content_criteria())) {
      m_wants_content = false;
      std::fill(m_rule_enabled.begin(), m_rule_enabled.end(), 0);
      return;
    }
  }
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const auto& rule = rules[i];
    bool enabled = rule.scope.empty() && (!rule.path || RE2::PartialMatch(base.path, *rule.path));
    for (const auto& allowlist : rule.allowlists) {
      if (enabled && allowlist.spec.condition == AllowlistCondition::any &&
          allowlist.matches_path(base.path)) {
        enabled = false;
      }
    }
    m_rule_enabled[i] = enabled ? 1 : 0;
  }
  add_path_findings();
}

void FileScanner::begin_text(const Location& base, std::string_view scope) {
  start(base);
  const auto& rules = m_rules->rules();
  for (std::size_t i = 0; i < rules.size(); ++i) {
    // Path rules describe files; a config field has no path.
    m_rule_enabled[i] = !rules[i].path && (rules[i].scope.empty() || rules[i].scope == scope);
  }
}

void FileScanner::add_path_findings() {
  const auto& rules = m_rules->rules();
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const auto& rule = rules[i];
    if (!m_rule_enabled[i] || !rule.is_path_only()) {
      continue;
    }
    if (is_allowlisted(rule, "", m_base.path, m_base.path)) {
      continue;
    }
    Finding finding;
    finding.rule_id = rule.spec.id;
    finding.description = rule.spec.description;
    finding.severity = rule.spec.severity;
    finding.fix = rule.spec.fix;
    finding.location = m_base;
    finding.match = m_base.path;
    finding.redacted = m_base.path;
    finding.fingerprint = fingerprint(rule.spec.id, "", m_base);
    m_findings.push_back(std::move(finding));
  }
}

void FileScanner::feed(std::string_view chunk) {
  if (!m_wants_content || chunk.empty()) {
    return;
  }
  if (m_options.max_file_bytes != 0) {
    if (m_fed >= m_options.max_file_bytes) {
      return;
    }
    chunk = chunk.substr(0, m_options.max_file_bytes - m_fed);
  }
  if (m_fed == 0) {
    std::string_view sniff = chunk.substr(0, k_sniff_bytes);
    m_binary = std::memchr(sniff.data(), 0, sniff.size()) != nullptr;
  }
  m_fed += chunk.size();
  if (m_binary) {
    append_strings(chunk);
  } else {
    m_buf.append(chunk);
  }
  if (m_buf.size() >= m_next_flush) {
    flush(false);
  }
}

void FileScanner::append_strings(std::string_view chunk) {
  const auto min = m_options.min_string_length;
  std::size_t i = 0;
  while (i < chunk.size()) {
    std::size_t begin = i;
    while (i < chunk.size() && is_printable(static_cast<unsigned char>(chunk[i]))) {
      ++i;
    }
    m_run.append(chunk.data() + begin, i - begin);
    bool ended = i < chunk.size();
    if ((ended && m_run.size() >= min) || m_run.size() >= k_max_run) {
      m_buf.append(m_run);
      m_buf.push_back('\n');
    }
    if (ended || m_run.size() >= k_max_run) {
      m_run.clear();
    }
    while (i < chunk.size() && !is_printable(static_cast<unsigned char>(chunk[i]))) {
      ++i;
    }
  }
}

void FileScanner::flush(bool final) {
  std::size_t cut = m_buf.size();
  if (!final) {
    std::size_t newline = m_buf.rfind('\n');
    if (newline != std::string::npos) {
      cut = newline + 1;
    } else if (m_buf.size() < k_max_line_window) {
      m_next_flush = m_buf.size() + k_window;
      return;
    }
  }
  scan_window(std::string_view(m_buf).substr(0, cut));
  m_scanned_to = m_window_abs + cut;
  if (final) {
    return;
  }
  // Keep the last k_overlap bytes, from a line start, for the next window.
  std::size_t keep = cut > k_overlap ? cut - k_overlap : 0;
  if (keep > 0) {
    std::size_t line_start = m_buf.find('\n', keep - 1);
    keep = line_start != std::string::npos && line_start < cut ? line_start + 1 : keep;
  }
  m_window_line += static_cast<std::size_t>(std::count(m_buf.begin(), m_buf.begin() + keep, '\n'));
  m_window_abs += keep;
  m_buf.erase(0, keep);
  m_next_flush = m_buf.size() + k_window;
}

std::vector<Finding> FileScanner::end_file() {
  if (m_started && m_wants_content) {
    if (m_binary && m_run.size() >= m_options.min_string_length) {
      m_buf.append(m_run);
      m_buf.push_back('\n');
    }
    m_run.clear();
    if (!m_buf.empty()) {
      flush(true);
    }
  }
  m_started = false;
  if (m_buf.capacity() > 2 * (k_window + k_overlap)) {
    m_buf = std::string(); // a huge line grew it; do not keep that per thread
  }
  m_buf.clear();
  if (!m_findings.empty()) {
    apply_required(*m_rules, m_findings);
  }
  std::stable_sort(m_findings.begin(), m_findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.location.line, a.location.column) <
           std::tie(b.location.line, b.location.column);
  });
  return std::move(m_findings);
}

std::vector<Finding> FileScanner::scan_file(const FileContext& context, std::string_view content) {
  begin_file(context);
  feed(content);
  return end_file();
}

std::vector<Finding> FileScanner::scan_text(const Location& base, std::string_view text,
                                            std::string_view scope) {
  begin_text(base, scope);
  feed(text);
  return end_file();
}

namespace {

/// Start of the line holding text[pos], then `extra` lines further back.
std::size_t lines_back(std::string_view text, std::size_t pos, int extra) {
  std::size_t start = std::min(pos, text.size());
  for (int i = 0; i <= extra && start > 0; ++i) {
    const void* newline = memrchr(text.data(), '\n', i == 0 ? start : start - 1);
    start =
        newline ? static_cast<std::size_t>(static_cast<const char*>(newline) - text.data()) + 1 : 0;
  }
  return start;
}

/// End (past the newline) of the line holding text[pos], then `extra` lines further on.
std::size_t lines_forward(std::string_view text, std::size_t pos, int extra) {
  std::size_t end = pos;
  for (int i = 0; i <= extra && end < text.size(); ++i) {
    const void* newline = std::memchr(text.data() + end, '\n', text.size() - end);
    end = newline ? static_cast<std::size_t>(static_cast<const char*>(newline) - text.data()) + 1
                  : text.size();
  }
  return end;
}

/// Lines of context around a keyword: a match may wrap its whitespace
/// (\s) over a line end or two.
constexpr int k_context_lines = 2;

} // namespace

void FileScanner::scan_window(std::string_view text) {
  const std::size_t first_finding = m_findings.size();
  m_newlines_ready = false;
  const auto& rules = m_rules->rules();
  // One pass over the text finds every keyword occurrence. A rule runs only
  // where one of its keywords is (rules without keywords run everywhere).
  m_hits.clear();
  m_rules->keywords().find_all(text, m_hits);
  for (std::uint32_t r : m_touched) {
    m_rule_hits[r].clear();
  }
  m_touched.clear();
  for (const auto& hit : m_hits) {
    for (std::uint32_t r : m_rules->rules_for_keyword(hit.keyword)) {
      if (!m_rule_enabled[r] || !rules[r].regex) {
        continue;
      }
      if (m_rule_hits[r].empty()) {
        m_touched.push_back(r);
      }
      m_rule_hits[r].push_back(hit.end);
    }
  }
  for (std::uint32_t r : m_rules->keywordless_rules()) {
    if (m_rule_enabled[r] && m_rule_hits[r].empty()) {
      m_touched.push_back(r);
      m_rule_hits[r].push_back(0);
    }
  }
  std::sort(m_touched.begin(), m_touched.end());
  for (std::uint32_t r : m_touched) {
    const CompiledRule& rule = rules[r];
    if (rule.multiline || rule.spec.keywords.empty()) {
      run_rule(r, text, 0, text.size());
      continue;
    }
    auto& positions = m_rule_hits[r];
    std::sort(positions.begin(), positions.end());
    std::size_t range_begin = 0;
    std::size_t range_end = 0;
    for (std::uint32_t pos : positions) {
      if (pos < range_end) {
        continue; // inside the range already
      }
      const std::size_t begin = lines_back(text, pos - 1, k_context_lines);
      const std::size_t end = lines_forward(text, pos, k_context_lines);
      if (range_end != 0 && begin <= range_end) {
        range_end = end;
        continue;
      }
      if (range_end != 0) {
        run_rule(r, text, range_begin, range_end);
      }
      range_begin = begin;
      range_end = end;
    }
    if (range_end != 0) {
      run_rule(r, text, range_begin, range_end);
    }
  }
  drop_shadowed_generics(first_finding);
}

void FileScanner::run_rule(std::uint32_t rule_index, std::string_view text, std::size_t begin,
                           std::size_t end_pos) {
  const CompiledRule& rule = m_rules->rules()[rule_index];
  const RE2& re = *rule.regex;
  const int groups = re.NumberOfCapturingGroups();
  re2::StringPiece sub[16];
  const int nsub = std::min(groups, 15) + 1;
  std::size_t pos = begin;
  // The whole window is the context, so \b and ^ see the bytes around the range.
  while (pos <= end_pos && re.Match(re2::StringPiece(text.data(), text.size()), pos, end_pos,
                                    RE2::UNANCHORED, sub, nsub)) {
    const auto start = static_cast<std::size_t>(sub[0].data() - text.data());
    const std::size_t end = start + sub[0].size();
    pos = end > start ? end : start + 1;
    // Matches that end inside the part already scanned were reported then.
    if (m_window_abs + end <= m_scanned_to) {
      continue;
    }
    std::string_view secret(sub[0].data(), sub[0].size());
    if (rule.spec.secret_group > 0 && rule.spec.secret_group < nsub) {
      secret =
          std::string_view(sub[rule.spec.secret_group].data(), sub[rule.spec.secret_group].size());
    } else {
      for (int g = 1; g < nsub; ++g) {
        if (!sub[g].empty()) {
          secret = std::string_view(sub[g].data(), sub[g].size());
          break;
        }
      }
    }
    add_match(rule, text, start, end, secret);
  }
}

void FileScanner::add_match(const CompiledRule& rule, std::string_view text, std::size_t start,
                            std::size_t end, std::string_view secret) {
  std::size_t match_start = start;
  std::string_view match = trim_newlines(text.substr(start, end - start), match_start);
  const double entropy = shannon_entropy(secret);
  if (rule.spec.entropy > 0 && entropy <= rule.spec.entropy) {
    return;
  }
  const std::size_t line_begin =
      match_start == 0 ? 0 : (text.rfind('\n', match_start - 1) + 1); // npos + 1 == 0
  std::size_t line_end = text.find('\n', match_start);
  line_end = line_end == std::string_view::npos ? text.size() : line_end;
  std::string_view line = text.substr(line_begin, line_end - line_begin);
  if (line.find("gitleaks:allow") != std::string_view::npos ||
      is_allowlisted(rule, secret, match, line)) {
    return;
  }
  Finding finding;
  finding.rule_id = rule.spec.id;
  finding.description = rule.spec.description;
  finding.severity = rule.spec.severity;
  finding.fix = rule.spec.fix;
  finding.location = m_base;
  if (m_binary) {
    finding.location.in_binary = true;
  } else if (m_base.origin == Origin::file) {
    finding.location.line = line_of(text, match_start);
    finding.location.column = match_start - line_begin + 1;
  }
  finding.secret = std::string(secret);
  finding.match = std::string(match);
  finding.redacted = redact_match(match, secret);
  finding.entropy = entropy;
  finding.fingerprint = fingerprint(rule.spec.id, secret, finding.location);
  m_findings.push_back(std::move(finding));
}

bool FileScanner::is_allowlisted(const CompiledRule& rule, std::string_view secret,
                                 std::string_view match, std::string_view line) const {
  for (const auto& allowlist : m_rules->allowlists()) {
    const auto& targets = allowlist.spec.target_rules;
    if (!targets.empty() &&
        std::find(targets.begin(), targets.end(), rule.spec.id) == targets.end()) {
      continue;
    }
    if (allowlist.allows(m_base.path, secret, match, line)) {
      return true;
    }
  }
  return std::any_of(rule.allowlists.begin(), rule.allowlists.end(),
                     [&](const auto& a) { return a.allows(m_base.path, secret, match, line); });
}

std::size_t FileScanner::line_of(std::string_view text, std::size_t offset) {
  if (!m_newlines_ready) {
    m_newlines.clear();
    for (const char* p = text.data();
         (p = static_cast<const char*>(std::memchr(p, '\n', text.data() + text.size() - p))); ++p) {
      m_newlines.push_back(static_cast<std::size_t>(p - text.data()));
    }
    m_newlines_ready = true;
  }
  auto before = std::lower_bound(m_newlines.begin(), m_newlines.end(), offset);
  return m_window_line + static_cast<std::size_t>(before - m_newlines.begin());
}

void FileScanner::drop_shadowed_generics(std::size_t first) {
  // Like gitleaks (which looks at the same line only): a generic finding
  // whose secret lies within a specific rule's secret adds nothing but noise.
  auto shadowed = [&](const Finding& generic) {
    if (generic.rule_id.find("generic") == std::string::npos) {
      return false;
    }
    for (std::size_t i = first; i < m_findings.size(); ++i) {
      const Finding& other = m_findings[i];
      if (other.rule_id.find("generic") == std::string::npos && !other.secret.empty() &&
          other.secret.find(generic.secret) != std::string::npos) {
        return true;
      }
    }
    return false;
  };
  std::vector<std::uint8_t> drop(m_findings.size() - first, 0);
  bool any = false;
  for (std::size_t i = first; i < m_findings.size(); ++i) {
    drop[i - first] = shadowed(m_findings[i]) ? 1 : 0;
    any = any || drop[i - first];
  }
  if (!any) {
    return;
  }
  std::size_t out = first;
  for (std::size_t i = first; i < m_findings.size(); ++i) {
    if (!drop[i - first]) {
      if (out != i) {
        m_findings[out] = std::move(m_findings[i]);
      }
      ++out;
    }
  }
  m_findings.resize(out);
}

} // namespace secrets
