#include "core/content_store.h"
#include "core/error.h"
#include "core/temp_dir.h"
#include "core/verified_reader.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using core::ContentStore;
using core::Digest;

namespace {

size_t count_files(const fs::path& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) {
    ++n;
  }
  return n;
}

void overwrite(const fs::path& path, std::string_view data) {
  fs::permissions(path, fs::perms::owner_write, fs::perm_options::add);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

/// Waits for `pid` and returns its exit status (or 128+signal).
int wait_for(pid_t pid) {
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

} // namespace

TEST_CASE("ContentStore::put stores a blob under blobs/sha256/<hex>", "[core][content_store]") {
  core::TempDir dir;
  ContentStore store(dir.path());
  Digest d = store.put("hello");
  CHECK(d == core::sha256_of("hello"));
  CHECK(store.has(d));
  CHECK(store.path(d) == dir.path() / "blobs" / "sha256" / std::string(d.hex()));
  CHECK(store.size(d) == 5u);
  CHECK(store.read_all(d) == "hello");
  CHECK(count_files(dir.path() / ".tmp") == 0);
}

TEST_CASE("ContentStore::put rejects a digest mismatch and leaves no file",
          "[core][content_store]") {
  core::TempDir dir;
  ContentStore store(dir.path());
  Digest wrong = core::sha256_of("other");
  REQUIRE_THROWS_WITH(store.put("hello", wrong), "blob " + wrong.str() +
                                                     ": digest mismatch (content is " +
                                                     core::sha256_of("hello").str() + ")");
  CHECK_FALSE(store.has(wrong));
  CHECK_FALSE(store.has(core::sha256_of("hello")));
  CHECK(count_files(dir.path() / ".tmp") == 0);
  CHECK(count_files(dir.path() / "blobs" / "sha256") == 0);
}

TEST_CASE("ContentStore::Writer checks size and is idempotent", "[core][content_store]") {
  core::TempDir dir;
  ContentStore store(dir.path());
  Digest d = core::sha256_of("abcdef");
  {
    ContentStore::Writer w = store.writer();
    w.write("abc");
    w.write("def");
    CHECK(w.size() == 6);
    CHECK_THROWS_WITH(w.commit(d, 7), Catch::Contains("size mismatch (expected 7 bytes, got 6)"));
  }
  CHECK_FALSE(store.has(d));
  CHECK(store.put("abcdef", d) == d);
  // A second put of the same blob is a no-op but still checks the new bytes.
  CHECK(store.put("abcdef", d) == d);
  CHECK_THROWS_WITH(store.put("abcdeX", d), Catch::Contains("digest mismatch"));
  CHECK(store.read_all(d) == "abcdef");
  {
    ContentStore::Writer w = store.writer();
    w.write("abcdef");
    CHECK(w.commit() == d); // existing blob: the temp file is dropped
  }
  CHECK(count_files(dir.path() / ".tmp") == 0);
}

TEST_CASE("ContentStore::Writer destructor removes an uncommitted temp file",
          "[core][content_store]") {
  core::TempDir dir;
  ContentStore store(dir.path());
  {
    ContentStore::Writer w = store.writer();
    w.write("partial");
    CHECK(count_files(dir.path() / ".tmp") == 1);
  }
  CHECK(count_files(dir.path() / ".tmp") == 0);
}

TEST_CASE("ContentStore reads verify the digest", "[core][content_store]") {
  core::TempDir dir;
  ContentStore store(dir.path());
  Digest d = store.put("good content");
  overwrite(store.path(d), "evil content");
  CHECK_THROWS_WITH(store.read_all(d), "blob " + d.str() + ": digest mismatch (content is " +
                                           core::sha256_of("evil content").str() + ")");
  overwrite(store.path(d), "good");
  CHECK_THROWS_AS(store.read_all(d), core::InputError);
  Digest absent = core::sha256_of("absent");
  CHECK_FALSE(store.has(absent));
  CHECK_FALSE(store.size(absent));
  CHECK_THROWS_WITH(store.open(absent), Catch::Contains("not found"));
}

TEST_CASE("VerifiedReader fails on size and digest", "[core][content_store]") {
  auto reader = [](std::string_view data, std::string_view expected, std::uint64_t size) {
    return core::VerifiedReader(std::make_unique<core::MemoryInputStream>(data),
                                core::sha256_of(expected), size, "image.tar: member 'x'");
  };
  {
    auto r = reader("abc", "abc", 3);
    CHECK(core::read_all(r, "x") == "abc");
  }
  {
    auto r = reader("abcd", "abcd", 3);
    CHECK_THROWS_WITH(core::read_all(r, "x"),
                      "image.tar: member 'x': size mismatch (more than the expected 3 bytes)");
  }
  {
    auto r = reader("ab", "ab", 3);
    CHECK_THROWS_WITH(core::read_all(r, "x"),
                      "image.tar: member 'x': size mismatch (expected 3 bytes, got 2)");
  }
  {
    auto r = reader("abd", "abc", 3);
    CHECK_THROWS_WITH(core::read_all(r, "x"), "image.tar: member 'x': digest mismatch (expected " +
                                                  core::sha256_of("abc").str() + ", content is " +
                                                  core::sha256_of("abd").str() + ")");
  }
}

TEST_CASE("ContentStore: concurrent writers of one blob both succeed", "[core][content_store]") {
  core::TempDir dir;
  ContentStore(dir.path()); // create the layout first
  std::string data(1 << 20, 'x');
  Digest d = core::sha256_of(data);
  int go[2];
  REQUIRE(pipe(go) == 0);
  std::vector<pid_t> children;
  for (int i = 0; i < 4; ++i) {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      char c;
      close(go[1]);
      int code = 0;
      if (read(go[0], &c, 1) != 0) { // wait until the parent releases everyone
        code = 3;
      }
      try {
        ContentStore store(dir.path());
        ContentStore::Writer w = store.writer();
        for (size_t off = 0; off < data.size(); off += 4096) {
          w.write(data.data() + off, 4096);
        }
        code = w.commit(d) == d ? code : 2;
      } catch (...) {
        code = 1;
      }
      _exit(code);
    }
    children.push_back(pid);
  }
  close(go[0]);
  close(go[1]); // EOF releases all children at once
  for (pid_t pid : children) {
    CHECK(wait_for(pid) == 0);
  }
  ContentStore store(dir.path());
  CHECK(store.read_all(d) == data);
  CHECK(count_files(dir.path() / "blobs" / "sha256") == 1);
  CHECK(count_files(dir.path() / ".tmp") == 0);
}

TEST_CASE("ContentStore: a killed writer's temp file is removed, a live one's kept",
          "[core][content_store]") {
  core::TempDir dir;
  ContentStore(dir.path());
  int ready[2];
  REQUIRE(pipe(ready) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(ready[0]);
    ContentStore store(dir.path());
    ContentStore::Writer w = store.writer();
    w.write("half a blob");
    (void)!write(ready[1], "r", 1);
    pause(); // killed by the parent
    _exit(0);
  }
  close(ready[1]);
  char c;
  REQUIRE(read(ready[0], &c, 1) == 1);
  close(ready[0]);

  // The writer is alive and holds its lock: opening a store must keep its file.
  ContentStore live(dir.path());
  CHECK(live.stale_temps_removed() == 0);
  CHECK(count_files(dir.path() / ".tmp") == 1);

  kill(pid, SIGKILL);
  CHECK(wait_for(pid) == 128 + SIGKILL);
  CHECK(count_files(dir.path() / ".tmp") == 1); // the orphan is still there…
  ContentStore after(dir.path());
  CHECK(after.stale_temps_removed() == 1); // …until the next open
  CHECK(count_files(dir.path() / ".tmp") == 0);
}
