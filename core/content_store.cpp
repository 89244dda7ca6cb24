#include "core/content_store.h"

#include "core/error.h"
#include "core/file_util.h"
#include "core/verified_reader.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace core {

namespace fs = std::filesystem;

namespace {

constexpr const char* k_temp_prefix = "blob-";

/// Creates a temp file and takes an exclusive flock on it. A store being
/// opened concurrently may unlink the file between mkstemp and flock (it was
/// not locked yet); the link count tells, and we start over.
std::pair<UniqueFd, fs::path> create_locked_temp(const fs::path& dir) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string pattern = (dir / k_temp_prefix).string() + "XXXXXX";
    UniqueFd fd(::mkostemp(pattern.data(), O_CLOEXEC));
    if (!fd) {
      throw_errno("create temp file", pattern);
    }
    if (::flock(fd.get(), LOCK_EX) != 0) {
      throw_errno("lock", pattern);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
      throw_errno("stat", pattern);
    }
    if (st.st_nlink > 0) {
      return {std::move(fd), fs::path(pattern)};
    }
  }
  throw Error("create temp file in '" + dir.string() + "': removed by concurrent cleanups");
}

} // namespace

ContentStore::ContentStore(fs::path root)
    : m_root(std::move(root)), m_blob_dir(m_root / "blobs" / "sha256"),
      m_temp_dir(m_root / ".tmp") {
  std::error_code ec;
  fs::create_directories(m_blob_dir, ec);
  if (ec) {
    throw Error("create directory '" + m_blob_dir.string() + "': " + ec.message());
  }
  fs::create_directories(m_temp_dir, ec);
  if (ec) {
    throw Error("create directory '" + m_temp_dir.string() + "': " + ec.message());
  }
  remove_stale_temps();
}

void ContentStore::remove_stale_temps() {
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(m_temp_dir, ec)) {
    if (!entry.path().filename().string().starts_with(k_temp_prefix)) {
      continue;
    }
    UniqueFd fd(::open(entry.path().c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) {
      continue; // already gone (another cleanup or a commit)
    }
    // A live writer holds LOCK_EX until it commits or dies; only orphans lock.
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
      continue;
    }
    if (::unlink(entry.path().c_str()) == 0) {
      ++m_stale_removed;
    }
  }
}

fs::path ContentStore::path(const Digest& digest) const {
  return m_blob_dir / std::string(digest.hex());
}

bool ContentStore::has(const Digest& digest) const {
  struct stat st {};
  return ::stat(path(digest).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::optional<std::uint64_t> ContentStore::size(const Digest& digest) const {
  struct stat st {};
  if (::stat(path(digest).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(st.st_size);
}

std::unique_ptr<InputStream> ContentStore::open(const Digest& digest) const {
  fs::path p = path(digest);
  UniqueFd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) {
      throw Error("blob " + digest.str() + ": not found in '" + m_root.string() + "'");
    }
    throw_errno("open", p.string());
  }
  auto file = std::make_unique<FdInputStream>(std::move(fd), p.string());
  return std::make_unique<VerifiedReader>(std::move(file), digest, std::nullopt,
                                          "blob " + digest.str());
}

std::string ContentStore::read_all(const Digest& digest, size_t limit) const {
  std::unique_ptr<InputStream> in = open(digest);
  return core::read_all(*in, "blob " + digest.str(), limit);
}

ContentStore::Writer ContentStore::writer() const {
  auto [fd, temp] = create_locked_temp(m_temp_dir);
  return Writer(m_blob_dir, std::move(fd), std::move(temp));
}

Digest ContentStore::put(std::string_view data, std::optional<Digest> expected) const {
  if (expected && has(*expected)) {
    Digest actual = sha256_of(data);
    if (actual != *expected) {
      throw InputError(digest_mismatch_message("blob " + expected->str(), *expected, actual));
    }
    return actual;
  }
  Writer w = writer();
  w.write(data);
  return w.commit(expected);
}

Digest ContentStore::put(InputStream& in, std::optional<Digest> expected,
                         std::optional<std::uint64_t> expected_size) const {
  Writer w = writer();
  copy_stream(in, w);
  return w.commit(expected, expected_size);
}

ContentStore::Writer::Writer(fs::path blob_dir, UniqueFd fd, fs::path temp_path)
    : m_blob_dir(std::move(blob_dir)), m_fd(std::move(fd)), m_temp_path(std::move(temp_path)) {}

ContentStore::Writer::Writer(Writer&& other) noexcept
    : m_blob_dir(other.m_blob_dir), m_fd(std::move(other.m_fd)),
      m_temp_path(std::move(other.m_temp_path)), m_hasher(std::move(other.m_hasher)),
      m_done(std::exchange(other.m_done, true)) {}

ContentStore::Writer::~Writer() {
  discard();
}

void ContentStore::Writer::discard() noexcept {
  if (!m_done) {
    ::unlink(m_temp_path.c_str()); // still locked by us, so no cleanup races with it
    m_fd.reset();
    m_done = true;
  }
}

void ContentStore::Writer::write(const void* data, size_t size) {
  if (m_done) {
    throw Error("write blob: writer already committed");
  }
  const char* p = static_cast<const char*>(data);
  size_t left = size;
  while (left > 0) {
    ssize_t n = ::write(m_fd.get(), p, left);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      throw_errno("write", m_temp_path.string());
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  m_hasher.update(data, size);
}

Digest ContentStore::Writer::commit(std::optional<Digest> expected,
                                    std::optional<std::uint64_t> expected_size) {
  if (m_done) {
    throw Error("commit blob: writer already finished");
  }
  std::uint64_t written = m_hasher.size();
  Digest actual = m_hasher.finish();
  std::string name = "blob " + (expected ? expected->str() : actual.str());
  if (expected && actual != *expected) {
    discard();
    throw InputError(digest_mismatch_message(name, *expected, actual));
  }
  if (expected_size && written != *expected_size) {
    discard();
    throw InputError(name + ": size mismatch (expected " + std::to_string(*expected_size) +
                     " bytes, got " + std::to_string(written) + ")");
  }
  fs::path final_path = m_blob_dir / std::string(actual.hex());
  struct stat st {};
  if (::stat(final_path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
    discard(); // idempotent: the bytes are the same, as their digest says
    return actual;
  }
  if (::fsync(m_fd.get()) != 0) {
    throw_errno("fsync", m_temp_path.string());
  }
  if (::fchmod(m_fd.get(), 0644) != 0) {
    throw_errno("chmod", m_temp_path.string());
  }
  if (::rename(m_temp_path.c_str(), final_path.c_str()) != 0) {
    throw_errno("rename '" + m_temp_path.string() + "' to", final_path.string());
  }
  m_done = true;
  m_fd.reset();
  fsync_directory(m_blob_dir);
  return actual;
}

} // namespace core
