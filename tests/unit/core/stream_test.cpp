#include "core/error.h"
#include "core/stream.h"
#include "core/temp_dir.h"

#include <catch2/catch.hpp>

#include <fcntl.h>

#include <fstream>

TEST_CASE("MemoryInputStream and read_all round-trip", "[core][stream]") {
  core::MemoryInputStream in("hello world");
  CHECK(core::read_all(in, "x") == "hello world");
  core::MemoryInputStream again("hello world");
  CHECK_THROWS_WITH(core::read_all(again, "manifest.json", 5),
                    "manifest.json: larger than the limit of 5 bytes");
}

TEST_CASE("FdInputStream reads a file and names a missing one", "[core][stream]") {
  core::TempDir dir;
  std::ofstream(dir.path() / "f") << "abc";
  auto in = core::FdInputStream::open(dir.path() / "f");
  std::string out;
  core::StringOutputStream sink(out);
  CHECK(core::copy_stream(in, sink) == 3);
  CHECK(out == "abc");
  CHECK_THROWS_WITH(core::FdInputStream::open(dir.path() / "nope"),
                    "open '" + (dir.path() / "nope").string() + "': No such file or directory");
}
