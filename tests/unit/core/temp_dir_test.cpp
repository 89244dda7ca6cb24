#include "core/temp_dir.h"

#include <catch2/catch.hpp>

#include <fstream>

namespace fs = std::filesystem;

TEST_CASE("TempDir removes itself and its contents", "[core][temp_dir]") {
  fs::path p;
  {
    core::TempDir dir;
    p = dir.path();
    REQUIRE(fs::is_directory(p));
    fs::create_directories(p / "a/b");
    std::ofstream(p / "a/b/f") << "x";
  }
  CHECK_FALSE(fs::exists(p));
}

TEST_CASE("TempDir::release keeps the directory", "[core][temp_dir]") {
  fs::path p;
  {
    core::TempDir dir;
    p = dir.release();
  }
  CHECK(fs::is_directory(p));
  fs::remove_all(p);
}
