#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace builder {

/// --progress: how a build reports its steps.
enum class ProgressMode {
  quiet, ///< nothing
  plain, ///< BuildKit's plain lines: "#5 [2/4] RUN make", "#5 0.213 output", "#5 DONE 1.2s"
  tty,   ///< a live view of the running steps, redrawn in place; finished steps scroll up
};

/// "auto" (tty when `is_tty`, else plain), "plain", "tty", "quiet";
/// nullopt for anything else.
std::optional<ProgressMode> parse_progress_mode(std::string_view text, bool is_tty);

/// The progress of one build. Steps are numbered by the caller (#1, #2, …)
/// and belong to a stage `slot` (its position in the build order). Safe to
/// call from the threads of parallel stages. In plain mode the output is in
/// a fixed order whatever the timing: a stage's lines are held back until
/// every stage before it in the build order has finished, so the first
/// unfinished stage streams live and later ones follow as blocks.
class Progress {
public:
  Progress(ProgressMode mode, std::ostream& out, size_t slots = 1);

  ProgressMode mode() const { return m_mode; }

  /// "#N [stage i/n] TEXT".
  void start(size_t slot, size_t step, const std::string& label, const std::string& text);
  /// Command output; split into lines, each "#N SECONDS line".
  void output(size_t slot, size_t step, std::string_view data);
  /// "#N TEXT" (cache-miss explanations).
  void note(size_t slot, size_t step, const std::string& text);
  void cached(size_t slot, size_t step);
  void done(size_t slot, size_t step);
  void failed(size_t slot, size_t step, const std::string& why);
  /// The stage in `slot` has no more events; releases held-back lines.
  void finish_slot(size_t slot);

private:
  struct Running {
    std::string title;
    std::chrono::steady_clock::time_point started;
    std::string partial;             ///< output after the last newline
    std::vector<std::string> recent; ///< tty: the last lines shown under the title
  };
  void emit(size_t slot, std::string line);
  void flush_ready();
  void redraw();
  void finish_step(size_t slot, size_t step, const std::string& word);
  double seconds(size_t step) const;

  ProgressMode m_mode;
  std::ostream& m_out;
  std::mutex m_mutex;
  std::map<size_t, Running> m_running;          ///< by step number
  std::vector<std::vector<std::string>> m_held; ///< plain: lines per slot not yet printed
  std::vector<bool> m_finished;                 ///< per slot
  size_t m_head = 0;                            ///< first slot not yet finished
  size_t m_drawn = 0;                           ///< tty: lines of the live view on screen
};

} // namespace builder
