#pragma once

#include "core/digest.h"
#include "core/stream.h"
#include "core/unique_fd.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace core {

/// Content-addressed blobs on disk at `<root>/blobs/sha256/<hex>`, the same
/// layout as an OCI image-layout directory. Writes stream into a locked temp
/// file under `<root>/.tmp/` while hashing, and publish with an atomic rename
/// only after the digest checks; reads hash again (VerifiedReader). Several
/// processes may use one store at once: putting the same blob twice at the
/// same time leaves one good copy.
class ContentStore {
public:
  /// A blob being written. Write with write(), publish with commit(). If the
  /// writer is destroyed without a successful commit, its temp file is removed.
  class Writer : public OutputStream {
  public:
    Writer(Writer&&) noexcept;
    Writer& operator=(Writer&&) = delete;
    ~Writer() override;

    void write(const void* data, size_t size) override;
    using OutputStream::write;

    /// Checks the digest (and size) of what was written, then fsyncs the
    /// file, renames it to blobs/sha256/<hex> and fsyncs the directory. If the
    /// blob already exists the temp file is dropped (put is idempotent).
    /// Throws InputError "blob <expected>: digest mismatch (content is …)".
    Digest commit(std::optional<Digest> expected = std::nullopt,
                  std::optional<std::uint64_t> expected_size = std::nullopt);

    /// Bytes written so far.
    std::uint64_t size() const noexcept { return m_hasher.size(); }

  private:
    friend class ContentStore;
    Writer(std::filesystem::path blob_dir, UniqueFd fd, std::filesystem::path temp_path);
    void discard() noexcept;

    std::filesystem::path m_blob_dir;
    UniqueFd m_fd;
    std::filesystem::path m_temp_path;
    Sha256 m_hasher;
    bool m_done = false;
  };

  /// Opens the store at `root`, creating the directories if needed, and
  /// removes temp files left by killed writers (only those no live writer
  /// holds locked).
  explicit ContentStore(std::filesystem::path root);

  const std::filesystem::path& root() const noexcept { return m_root; }

  /// Where the blob lives (whether or not it exists).
  std::filesystem::path path(const Digest& digest) const;
  bool has(const Digest& digest) const;
  /// The blob's size on disk, or nullopt when it is absent.
  std::optional<std::uint64_t> size(const Digest& digest) const;

  /// A stream over the blob that fails at EOF unless the content hashes to
  /// `digest`. Throws Error "blob sha256:…: not found in <root>" when absent.
  std::unique_ptr<InputStream> open(const Digest& digest) const;
  /// The whole blob, verified; InputError when larger than `limit`.
  std::string read_all(const Digest& digest, size_t limit = 64 << 20) const;

  /// A new writer (temp file created and locked).
  Writer writer() const;
  /// Stores `data`; verifies it against `expected` when given.
  Digest put(std::string_view data, std::optional<Digest> expected = std::nullopt) const;
  /// Stores everything `in` yields; verifies digest and size when given.
  Digest put(InputStream& in, std::optional<Digest> expected = std::nullopt,
             std::optional<std::uint64_t> expected_size = std::nullopt) const;

  /// Temp files removed when the store was opened (for tests and logs).
  size_t stale_temps_removed() const noexcept { return m_stale_removed; }

private:
  void remove_stale_temps();

  std::filesystem::path m_root;
  std::filesystem::path m_blob_dir;
  std::filesystem::path m_temp_dir;
  size_t m_stale_removed = 0;
};

} // namespace core
