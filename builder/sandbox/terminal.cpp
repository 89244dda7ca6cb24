#include "builder/sandbox/terminal.h"

#include "core/error.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace builder::sandbox {
namespace {

void write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n <= 0) {
      return; // the reader went away; nothing useful to do with the bytes
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

} // namespace

Terminal::Terminal(const SandboxIo& io) : m_io(io) {
  m_input_open = io.interactive;
  if (io.interactive && ::isatty(io.in_fd) && ::tcgetattr(io.in_fd, &m_saved) == 0) {
    termios raw = m_saved;
    ::cfmakeraw(&raw);
    m_raw = ::tcsetattr(io.in_fd, TCSANOW, &raw) == 0;
  }
}

Terminal::~Terminal() {
  if (m_raw) {
    ::tcsetattr(m_io.in_fd, TCSANOW, &m_saved);
  }
}

void Terminal::attach(core::UniqueFd master) {
  m_master = std::move(master);
  copy_window_size();
}

void Terminal::fill_poll(pollfd& master, pollfd& input) const {
  master = {m_master_open && m_master ? m_master.get() : -1, POLLIN, 0};
  input = {m_input_open ? m_io.in_fd : -1, POLLIN, 0};
}

void Terminal::relay(const pollfd& master, const pollfd& input) {
  char buffer[16384];
  if (master.fd >= 0 && (master.revents & (POLLIN | POLLHUP | POLLERR))) {
    ssize_t n = ::read(m_master.get(), buffer, sizeof buffer);
    if (n > 0) {
      write_all(m_io.out_fd, buffer, static_cast<std::size_t>(n));
    } else {
      m_master_open = false; // EIO: every slave descriptor is closed
    }
  }
  if (input.fd >= 0 && (input.revents & (POLLIN | POLLHUP | POLLERR))) {
    ssize_t n = ::read(m_io.in_fd, buffer, sizeof buffer);
    if (n > 0 && m_master) {
      write_all(m_master.get(), buffer, static_cast<std::size_t>(n));
    } else if (n <= 0) {
      m_input_open = false;
      const char eof = 4; // ^D: end of input for the command's line discipline
      if (m_master) {
        write_all(m_master.get(), &eof, 1);
      }
    }
  }
}

void Terminal::drain() {
  if (!m_master_open || !m_master) {
    return;
  }
  int flags = ::fcntl(m_master.get(), F_GETFL);
  ::fcntl(m_master.get(), F_SETFL, flags | O_NONBLOCK);
  char buffer[16384];
  for (ssize_t n; (n = ::read(m_master.get(), buffer, sizeof buffer)) > 0;) {
    write_all(m_io.out_fd, buffer, static_cast<std::size_t>(n));
  }
  m_master_open = false;
}

void Terminal::copy_window_size() {
  winsize size{};
  if (m_master && ::ioctl(m_io.out_fd, TIOCGWINSZ, &size) == 0) {
    ::ioctl(m_master.get(), TIOCSWINSZ, &size);
  }
}

} // namespace builder::sandbox
