#pragma once

#include "core/stream.h"
#include "core/unique_fd.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>

struct archive;

namespace core {

/// Writes an outer image tarball (oci-archive, docker-archive) with
/// libarchive: PAX-restricted format, members in the order added (callers
/// sort them), mtime 0, uid/gid 0 with no names, mode 0644/0755. Output goes
/// to a temp file next to `path`, published by finish() with a rename; if the
/// writer is destroyed first, the temp file is removed and `path` untouched.
class ArchiveWriter {
public:
  explicit ArchiveWriter(std::filesystem::path path);
  ~ArchiveWriter();
  ArchiveWriter(const ArchiveWriter&) = delete;
  ArchiveWriter& operator=(const ArchiveWriter&) = delete;

  void add_directory(std::string_view name);
  void add_file(std::string_view name, std::string_view data);
  /// Copies `in` to its end as a member of `size` bytes; Error if it yields
  /// a different count (errors thrown by `in`, e.g. a digest check, pass on).
  void add_file(std::string_view name, InputStream& in, std::uint64_t size);
  /// A symlink member (name -> target).
  void add_symlink(std::string_view name, std::string_view target);

  /// Closes the archive, fsyncs and renames it into place.
  void finish();

private:
  struct ArchiveFree {
    void operator()(archive* a) const noexcept;
  };
  void write_header(std::string_view name, int type, unsigned mode, std::uint64_t size,
                    std::string_view link = {});
  void check(int rc, std::string_view what);

  std::filesystem::path m_path;
  std::string m_temp;
  UniqueFd m_fd;
  std::unique_ptr<archive, ArchiveFree> m_archive;
  bool m_done = false;
};

} // namespace core
