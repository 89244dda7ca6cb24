#pragma once

#include "builder/sandbox/sandbox.h"

#include "core/unique_fd.h"

#include <poll.h>
#include <termios.h>

namespace builder::sandbox {

/// The pseudo-terminal of `cbuild run -t`: the slave becomes the command's
/// controlling terminal; the parent relays between the master and its own
/// stdin/stdout, with its terminal in raw mode meanwhile.
class Terminal {
public:
  /// Puts our terminal (io.in_fd) in raw mode when interactive.
  explicit Terminal(const SandboxIo& io);
  Terminal(const Terminal&) = delete;
  Terminal& operator=(const Terminal&) = delete;
  ~Terminal();

  /// Takes the pty master the sandbox sent, and sizes it like our terminal.
  void attach(core::UniqueFd master);

  /// Sets the poll entries for the master (output) and stdin (when interactive).
  void fill_poll(pollfd& master, pollfd& input) const;
  /// Moves bytes for whichever entries are ready.
  void relay(const pollfd& master, const pollfd& input);
  /// Copies what the command wrote last, after it ended.
  void drain();
  /// Passes the window size of our terminal on (SIGWINCH).
  void copy_window_size();

private:
  SandboxIo m_io;
  core::UniqueFd m_master;
  bool m_master_open = true;
  bool m_input_open = true;
  bool m_raw = false;
  termios m_saved{};
};

} // namespace builder::sandbox
