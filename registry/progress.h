#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace registry {

/// One line per blob ("a1b2c3d4e5f6  downloading  12.0 MB / 40.0 MB"),
/// redrawn in place on a terminal every 200 ms. When `out` is not a TTY it
/// draws nothing (logs stay clean). Workers update it through set_done() and
/// set_state() from any thread.
class ProgressBoard {
public:
  /// `enabled` false draws nothing at all (--quiet, not a TTY).
  ProgressBoard(std::FILE* out, bool enabled);
  ~ProgressBoard();
  ProgressBoard(const ProgressBoard&) = delete;
  ProgressBoard& operator=(const ProgressBoard&) = delete;

  /// Adds a line; returns its index. Call before workers start.
  size_t add(std::string label, std::uint64_t total);
  void set_done(size_t line, std::uint64_t done);
  /// "waiting", "downloading", "exists", "mounted", "done", …
  void set_state(size_t line, std::string state);

  /// True when `out` is a terminal (the default for `enabled`).
  static bool is_tty(std::FILE* out);

private:
  struct Line {
    std::string label;
    std::uint64_t total = 0;
    std::atomic<std::uint64_t> done{0};
    std::string state = "waiting";
  };
  void run();
  void draw(bool final);

  std::FILE* m_out;
  bool m_enabled;
  std::vector<std::unique_ptr<Line>> m_lines;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stop = false;
  bool m_drawn = false;
  std::thread m_thread;
};

/// "12.0 MB" (powers of 1000, one decimal).
std::string human_size(std::uint64_t bytes);

} // namespace registry
