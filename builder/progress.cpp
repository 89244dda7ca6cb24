#include "builder/progress.h"

#include <cstdio>

namespace builder {

namespace {

constexpr size_t k_tty_lines = 6; ///< output lines shown under a running step

std::string format_seconds(double s, int decimals) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", decimals, s);
  return text;
}

} // namespace

std::optional<ProgressMode> parse_progress_mode(std::string_view text, bool is_tty) {
  if (text == "auto") {
    return is_tty ? ProgressMode::tty : ProgressMode::plain;
  }
  if (text == "plain") {
    return ProgressMode::plain;
  }
  if (text == "tty") {
    return ProgressMode::tty;
  }
  if (text == "quiet") {
    return ProgressMode::quiet;
  }
  return std::nullopt;
}

Progress::Progress(ProgressMode mode, std::ostream& out, size_t slots)
    : m_mode(mode), m_out(out), m_held(slots), m_finished(slots, false) {}

double Progress::seconds(size_t step) const {
  auto it = m_running.find(step);
  if (it == m_running.end()) {
    return 0;
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - it->second.started)
      .count();
}

void Progress::start(size_t slot, size_t step, const std::string& label, const std::string& text) {
  if (m_mode == ProgressMode::quiet) {
    return;
  }
  std::lock_guard lock(m_mutex);
  std::string title = "#" + std::to_string(step) + " " + label + " " + text;
  m_running[step] = {title, std::chrono::steady_clock::now(), {}, {}};
  if (m_mode == ProgressMode::plain) {
    emit(slot, title);
  } else {
    redraw();
  }
}

void Progress::output(size_t slot, size_t step, std::string_view data) {
  if (m_mode == ProgressMode::quiet) {
    return;
  }
  std::lock_guard lock(m_mutex);
  Running& run = m_running[step];
  run.partial.append(data);
  for (size_t nl; (nl = run.partial.find('\n')) != std::string::npos;) {
    std::string line = run.partial.substr(0, nl);
    run.partial.erase(0, nl + 1);
    if (m_mode == ProgressMode::plain) {
      emit(slot, "#" + std::to_string(step) + " " + format_seconds(seconds(step), 3) + " " + line);
    } else {
      run.recent.push_back(std::move(line));
      if (run.recent.size() > k_tty_lines) {
        run.recent.erase(run.recent.begin());
      }
    }
  }
  if (m_mode == ProgressMode::tty) {
    redraw();
  }
}

void Progress::note(size_t slot, size_t step, const std::string& text) {
  if (m_mode == ProgressMode::quiet) {
    return;
  }
  std::lock_guard lock(m_mutex);
  emit(slot, "#" + std::to_string(step) + " " + text);
  if (m_mode == ProgressMode::tty) {
    redraw();
  }
}

void Progress::cached(size_t slot, size_t step) {
  finish_step(slot, step, "CACHED");
}

void Progress::done(size_t slot, size_t step) {
  finish_step(slot, step, "DONE");
}

void Progress::failed(size_t slot, size_t step, const std::string& why) {
  finish_step(slot, step, "ERROR: " + why);
}

void Progress::finish_step(size_t slot, size_t step, const std::string& word) {
  if (m_mode == ProgressMode::quiet) {
    return;
  }
  std::lock_guard lock(m_mutex);
  auto it = m_running.find(step);
  std::string partial = it == m_running.end() ? "" : it->second.partial;
  if (!partial.empty() && m_mode == ProgressMode::plain) {
    emit(slot, "#" + std::to_string(step) + " " + format_seconds(seconds(step), 3) + " " + partial);
  }
  std::string time = word == "CACHED" ? "" : " " + format_seconds(seconds(step), 1) + "s";
  if (m_mode == ProgressMode::tty && it != m_running.end()) {
    // the finished step scrolls up as its title and result
    emit(slot, it->second.title);
  }
  emit(slot, "#" + std::to_string(step) + " " + word + time);
  if (it != m_running.end()) {
    m_running.erase(it);
  }
  if (m_mode == ProgressMode::tty) {
    redraw();
  }
}

void Progress::finish_slot(size_t slot) {
  if (m_mode != ProgressMode::plain) {
    return;
  }
  std::lock_guard lock(m_mutex);
  if (slot < m_finished.size()) {
    m_finished[slot] = true;
    flush_ready();
  }
}

/// Plain mode: lines of the head slot go out now, others wait their turn.
/// Tty mode: finished lines go out above the live view.
void Progress::emit(size_t slot, std::string line) {
  if (m_mode == ProgressMode::tty) {
    if (m_drawn > 0) {
      m_out << "\x1b[" << m_drawn << "F\x1b[J";
      m_drawn = 0;
    }
    m_out << line << "\n";
    return;
  }
  if (slot >= m_held.size() || slot == m_head) {
    m_out << line << "\n" << std::flush;
  } else {
    m_held[slot].push_back(std::move(line));
  }
}

void Progress::flush_ready() {
  while (m_head < m_finished.size() && m_finished[m_head]) {
    ++m_head;
    if (m_head < m_held.size()) {
      for (const std::string& line : m_held[m_head]) {
        m_out << line << "\n";
      }
      m_held[m_head].clear();
    }
  }
  m_out << std::flush;
}

/// Tty mode: replaces the live view with the running steps and the last
/// lines of their output.
void Progress::redraw() {
  if (m_drawn > 0) {
    m_out << "\x1b[" << m_drawn << "F\x1b[J";
  }
  m_drawn = 0;
  for (const auto& [step, run] : m_running) {
    m_out << run.title << "  " << format_seconds(seconds(step), 1) << "s\n";
    ++m_drawn;
    for (const std::string& line : run.recent) {
      m_out << "\x1b[2m  " << line.substr(0, 200) << "\x1b[0m\n";
      ++m_drawn;
    }
  }
  m_out << std::flush;
}

} // namespace builder
