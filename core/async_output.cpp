#include "core/async_output.h"

#include <algorithm>

namespace core {

AsyncOutputStream::AsyncOutputStream(OutputStream& sink, size_t block_size, size_t depth)
    : m_sink(sink), m_block_size(block_size), m_depth(std::max<size_t>(depth, 1)) {
  m_current.reserve(m_block_size);
  m_worker = std::thread([this] { run(); });
}

AsyncOutputStream::~AsyncOutputStream() {
  stop_worker();
}

void AsyncOutputStream::stop_worker() noexcept {
  {
    std::lock_guard lock(m_mutex);
    m_closing = true;
  }
  m_changed.notify_all();
  if (m_worker.joinable()) {
    m_worker.join();
  }
}

void AsyncOutputStream::write(const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    size_t n = std::min(size, m_block_size - m_current.size());
    m_current.insert(m_current.end(), p, p + n);
    p += n;
    size -= n;
    if (m_current.size() == m_block_size) {
      push_current();
    }
  }
}

void AsyncOutputStream::push_current() {
  std::unique_lock lock(m_mutex);
  m_changed.wait(lock, [&] { return m_queue.size() < m_depth || m_error; });
  if (m_error) {
    std::rethrow_exception(m_error);
  }
  m_queue.push_back(std::move(m_current));
  if (!m_free.empty()) {
    m_current = std::move(m_free.back());
    m_free.pop_back();
  } else {
    m_current = std::vector<char>();
    m_current.reserve(m_block_size);
  }
  m_current.clear();
  lock.unlock();
  m_changed.notify_all();
}

void AsyncOutputStream::run() noexcept {
  for (;;) {
    std::vector<char> block;
    {
      std::unique_lock lock(m_mutex);
      m_changed.wait(lock, [&] { return !m_queue.empty() || m_closing; });
      if (m_queue.empty()) {
        return;
      }
      block = std::move(m_queue.front());
      m_queue.erase(m_queue.begin());
    }
    m_changed.notify_all();
    try {
      m_sink.write(block.data(), block.size());
    } catch (...) {
      std::lock_guard lock(m_mutex);
      m_error = std::current_exception();
      m_queue.clear();
      m_changed.notify_all();
      return;
    }
    std::lock_guard lock(m_mutex);
    m_free.push_back(std::move(block));
  }
}

void AsyncOutputStream::finish() {
  if (!m_current.empty()) {
    push_current();
  }
  stop_worker(); // drains the queue: the worker exits only when it is empty
  if (m_error) {
    std::rethrow_exception(m_error);
  }
  m_sink.finish();
}

} // namespace core
