#pragma once

#include "core/stream.h"

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace core {

/// Hands writes to a worker thread that writes them to `sink` (not owned),
/// so producing bytes (reading files, hashing) and consuming them
/// (compressing) use both cores. Writes are batched into blocks of
/// `block_size`; at most `depth` blocks wait. An exception in the worker is
/// rethrown by the next write() or by finish(). finish() drains the queue and
/// then calls sink.finish() on the caller's thread. The destructor stops the
/// worker without throwing; `sink` must not be used by anyone else meanwhile.
class AsyncOutputStream : public OutputStream {
public:
  explicit AsyncOutputStream(OutputStream& sink, size_t block_size = size_t{1} << 20,
                             size_t depth = 3);
  ~AsyncOutputStream() override;
  AsyncOutputStream(const AsyncOutputStream&) = delete;
  AsyncOutputStream& operator=(const AsyncOutputStream&) = delete;

  void write(const void* data, size_t size) override;
  using OutputStream::write;
  void finish() override;

private:
  void push_current();
  void run() noexcept;
  void stop_worker() noexcept;

  OutputStream& m_sink;
  size_t m_block_size;
  size_t m_depth;
  std::vector<char> m_current;
  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::vector<std::vector<char>> m_queue; ///< FIFO of full blocks
  std::vector<std::vector<char>> m_free;  ///< recycled buffers
  bool m_closing = false;
  std::exception_ptr m_error;
  std::thread m_worker;
};

} // namespace core
