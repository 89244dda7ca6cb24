#include "core/async_output.h"
#include "core/error.h"

#include <catch2/catch.hpp>

namespace {

/// Fails on the n-th write.
class FailingOutput : public core::OutputStream {
public:
  explicit FailingOutput(int fail_at) : m_fail_at(fail_at) {}
  void write(const void*, size_t) override {
    if (++m_writes == m_fail_at) {
      throw core::Error("write 'sink': No space left on device");
    }
  }

private:
  int m_fail_at;
  int m_writes = 0;
};

} // namespace

TEST_CASE("AsyncOutputStream passes every byte in order", "[core][async]") {
  std::string out;
  core::StringOutputStream sink(out);
  std::string expected;
  {
    core::AsyncOutputStream async(sink, 1000, 2);
    for (int i = 0; i < 5000; ++i) {
      std::string piece = std::to_string(i) + ",";
      expected += piece;
      async.write(piece);
    }
    async.finish();
  }
  CHECK(out == expected);
}

TEST_CASE("AsyncOutputStream reports a failure of its sink", "[core][async]") {
  FailingOutput sink(3);
  core::AsyncOutputStream async(sink, 100, 2);
  std::string block(100, 'x');
  auto write_many = [&] {
    for (int i = 0; i < 1000; ++i) {
      async.write(block);
    }
    async.finish();
  };
  CHECK_THROWS_WITH(write_many(), "write 'sink': No space left on device");
}

TEST_CASE("AsyncOutputStream destructor stops cleanly without finish()", "[core][async]") {
  std::string out;
  core::StringOutputStream sink(out);
  {
    core::AsyncOutputStream async(sink, 10, 1);
    async.write(std::string(95, 'y'));
  }
  CHECK(out.size() <= 95);
}
