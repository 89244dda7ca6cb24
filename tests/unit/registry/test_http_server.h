#pragma once
// A tiny scripted HTTP/1.1 server on 127.0.0.1 for unit tests of the
// registry client's transport: each accepted request is handed to a handler
// that returns the raw bytes to send back (status line, headers, body), and
// whether to close the connection afterwards. One connection at a time.

#include "core/unique_fd.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace registry_test {

struct SeenRequest {
  std::string method;
  std::string target;
  std::string headers; ///< raw header block, lower-cased
  std::string body;
};

struct Reply {
  std::string raw;    ///< everything to write
  bool close = false; ///< close the connection after writing
};

class TestServer {
public:
  using Handler = std::function<Reply(const SeenRequest&, int index)>;

  explicit TestServer(Handler handler) : m_handler(std::move(handler)) {
    m_listen = core::UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(m_listen.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(m_listen.get(), 8);
    socklen_t len = sizeof addr;
    ::getsockname(m_listen.get(), reinterpret_cast<sockaddr*>(&addr), &len);
    m_port = ntohs(addr.sin_port);
    m_thread = std::thread([this] { serve(); });
  }
  ~TestServer() {
    m_stop = true;
    ::shutdown(m_listen.get(), SHUT_RDWR);
    m_thread.join();
  }

  std::string host() const { return "127.0.0.1:" + std::to_string(m_port); }
  std::vector<SeenRequest> requests() {
    std::lock_guard lock(m_mutex);
    return m_seen;
  }

  /// "HTTP/1.1 <status>\r\nContent-Length: n\r\n<extra>\r\n<body>".
  static std::string response(int status, const std::string& body,
                              const std::string& extra_headers = "") {
    return "HTTP/1.1 " + std::to_string(status) +
           " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra_headers +
           "\r\n" + body;
  }

private:
  void serve() {
    int index = 0;
    while (!m_stop) {
      core::UniqueFd conn(::accept4(m_listen.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (!conn) {
        return;
      }
      std::string buffer;
      while (!m_stop) {
        SeenRequest request;
        if (!read_request(conn.get(), buffer, request)) {
          break;
        }
        {
          std::lock_guard lock(m_mutex);
          m_seen.push_back(request);
        }
        Reply reply = m_handler(request, index++);
        for (size_t sent = 0; sent < reply.raw.size();) {
          ssize_t n =
              ::send(conn.get(), reply.raw.data() + sent, reply.raw.size() - sent, MSG_NOSIGNAL);
          if (n <= 0) {
            break;
          }
          sent += static_cast<size_t>(n);
        }
        if (reply.close) {
          break;
        }
      }
    }
  }

  static bool read_request(int fd, std::string& buffer, SeenRequest& out) {
    size_t end;
    while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
      if (!fill(fd, buffer)) {
        return false;
      }
    }
    std::string head = buffer.substr(0, end);
    buffer.erase(0, end + 4);
    size_t sp1 = head.find(' ');
    size_t sp2 = head.find(' ', sp1 + 1);
    out.method = head.substr(0, sp1);
    out.target = head.substr(sp1 + 1, sp2 - sp1 - 1);
    out.headers = head.substr(head.find("\r\n") + 2);
    for (char& c : out.headers) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    size_t length = 0;
    if (size_t at = out.headers.find("content-length:"); at != std::string::npos) {
      length = std::stoul(out.headers.substr(at + 15));
    }
    while (buffer.size() < length) {
      if (!fill(fd, buffer)) {
        return false;
      }
    }
    out.body = buffer.substr(0, length);
    buffer.erase(0, length);
    return true;
  }

  static bool fill(int fd, std::string& buffer) {
    char chunk[8192];
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) {
      return false;
    }
    buffer.append(chunk, static_cast<size_t>(n));
    return true;
  }

  Handler m_handler;
  core::UniqueFd m_listen;
  int m_port = 0;
  std::atomic<bool> m_stop{false};
  std::mutex m_mutex;
  std::vector<SeenRequest> m_seen;
  std::thread m_thread;
};

} // namespace registry_test
