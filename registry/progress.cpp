#include "registry/progress.h"

#include <unistd.h>

#include <chrono>

namespace registry {

ProgressBoard::ProgressBoard(std::FILE* out, bool enabled) : m_out(out), m_enabled(enabled) {}

ProgressBoard::~ProgressBoard() {
  if (m_thread.joinable()) {
    {
      std::lock_guard lock(m_mutex);
      m_stop = true;
    }
    m_wake.notify_all();
    m_thread.join();
    draw(true);
  }
}

bool ProgressBoard::is_tty(std::FILE* out) {
  return ::isatty(::fileno(out)) == 1;
}

size_t ProgressBoard::add(std::string label, std::uint64_t total) {
  std::lock_guard lock(m_mutex);
  auto line = std::make_unique<Line>();
  line->label = std::move(label);
  line->total = total;
  m_lines.push_back(std::move(line));
  if (m_enabled && !m_thread.joinable()) {
    m_thread = std::thread([this] { run(); });
  }
  return m_lines.size() - 1;
}

void ProgressBoard::set_done(size_t line, std::uint64_t done) {
  if (m_enabled) {
    m_lines[line]->done = done;
  }
}

void ProgressBoard::set_state(size_t line, std::string state) {
  if (m_enabled) {
    std::lock_guard lock(m_mutex);
    m_lines[line]->state = std::move(state);
  }
}

void ProgressBoard::run() {
  std::unique_lock lock(m_mutex);
  while (!m_wake.wait_for(lock, std::chrono::milliseconds(200), [this] { return m_stop; })) {
    lock.unlock();
    draw(false);
    lock.lock();
  }
}

void ProgressBoard::draw(bool final) {
  std::lock_guard lock(m_mutex);
  std::string text;
  if (m_drawn) {
    text += "\033[" + std::to_string(m_lines.size()) + "A"; // back to the first line
  }
  for (const auto& line : m_lines) {
    std::uint64_t done = line->done;
    text += "\r\033[K" + line->label + "  " + line->state;
    if (line->state == "downloading" || line->state == "uploading") {
      text += "  " + human_size(done) + " / " + human_size(line->total);
    }
    text += "\n";
  }
  (void) final;
  std::fputs(text.c_str(), m_out);
  std::fflush(m_out);
  m_drawn = true;
}

std::string human_size(std::uint64_t bytes) {
  static constexpr const char* k_units[] = {"B", "kB", "MB", "GB", "TB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1000 && unit + 1 < std::size(k_units)) {
    value /= 1000;
    ++unit;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, unit == 0 ? "%.0f %s" : "%.1f %s", value, k_units[unit]);
  return buffer;
}

} // namespace registry
