#include "core/archive_writer.h"

#include "core/error.h"
#include "core/file_util.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

namespace core {

namespace {

struct EntryFree {
  void operator()(archive_entry* e) const noexcept { archive_entry_free(e); }
};

} // namespace

void ArchiveWriter::ArchiveFree::operator()(archive* a) const noexcept {
  archive_write_free(a);
}

ArchiveWriter::ArchiveWriter(std::filesystem::path path) : m_path(std::move(path)) {
  std::filesystem::path dir = m_path.parent_path().empty() ? "." : m_path.parent_path();
  m_temp = (dir / ("." + m_path.filename().string() + ".tmp-XXXXXX")).string();
  m_fd.reset(::mkostemp(m_temp.data(), O_CLOEXEC));
  if (!m_fd) {
    throw_errno("create temp file", m_temp);
  }
  m_archive.reset(archive_write_new());
  if (!m_archive) {
    ::unlink(m_temp.c_str());
    throw Error("libarchive: out of memory");
  }
  archive* a = m_archive.get();
  // 512-byte records: no padding beyond the two end blocks (as docker and skopeo write).
  check(archive_write_set_format_pax_restricted(a), "set tar format");
  check(archive_write_set_bytes_per_block(a, 512), "set block size");
  check(archive_write_open_fd(a, m_fd.get()), "open");
}

ArchiveWriter::~ArchiveWriter() {
  if (!m_done) {
    m_archive.reset(); // may flush; the temp file is removed anyway
    ::unlink(m_temp.c_str());
  }
}

void ArchiveWriter::check(int rc, std::string_view what) {
  if (rc < ARCHIVE_OK) {
    const char* message = archive_error_string(m_archive.get());
    throw Error("write '" + m_path.string() + "': " + std::string(what) + ": " +
                (message ? message : "libarchive error"));
  }
}

void ArchiveWriter::write_header(std::string_view name, int type, unsigned mode, std::uint64_t size,
                                 std::string_view link) {
  std::unique_ptr<archive_entry, EntryFree> entry(archive_entry_new());
  std::string n(name);
  archive_entry_set_pathname(entry.get(), n.c_str());
  archive_entry_set_filetype(entry.get(), static_cast<unsigned>(type));
  archive_entry_set_perm(entry.get(), mode);
  archive_entry_set_size(entry.get(), static_cast<la_int64_t>(size));
  archive_entry_set_mtime(entry.get(), 0, 0);
  archive_entry_set_uid(entry.get(), 0);
  archive_entry_set_gid(entry.get(), 0);
  if (!link.empty()) {
    std::string l(link);
    archive_entry_set_symlink(entry.get(), l.c_str());
  }
  check(archive_write_header(m_archive.get(), entry.get()), "member '" + n + "'");
}

void ArchiveWriter::add_directory(std::string_view name) {
  write_header(name, AE_IFDIR, 0755, 0);
}

void ArchiveWriter::add_symlink(std::string_view name, std::string_view target) {
  write_header(name, AE_IFLNK, 0777, 0, target);
}

void ArchiveWriter::add_file(std::string_view name, std::string_view data) {
  MemoryInputStream in(data);
  add_file(name, in, data.size());
}

void ArchiveWriter::add_file(std::string_view name, InputStream& in, std::uint64_t size) {
  write_header(name, AE_IFREG, 0644, size);
  std::vector<char> buffer(1 << 20);
  std::uint64_t total = 0;
  for (;;) {
    size_t n = in.read(buffer.data(), buffer.size());
    if (n == 0) {
      break;
    }
    total += n;
    if (total > size) {
      throw Error("write '" + m_path.string() + "': member '" + std::string(name) +
                  "': more than the expected " + std::to_string(size) + " bytes");
    }
    la_ssize_t written = archive_write_data(m_archive.get(), buffer.data(), n);
    if (written < 0 || static_cast<size_t>(written) != n) {
      check(ARCHIVE_FATAL, "member '" + std::string(name) + "'");
    }
  }
  if (total != size) {
    throw Error("write '" + m_path.string() + "': member '" + std::string(name) + "': got " +
                std::to_string(total) + " bytes, expected " + std::to_string(size));
  }
}

void ArchiveWriter::finish() {
  check(archive_write_close(m_archive.get()), "close");
  if (::fchmod(m_fd.get(), 0644) != 0) {
    throw_errno("chmod", m_temp);
  }
  if (::fsync(m_fd.get()) != 0) {
    throw_errno("fsync", m_temp);
  }
  if (::rename(m_temp.c_str(), m_path.c_str()) != 0) {
    throw_errno("rename '" + m_temp + "' to", m_path.string());
  }
  m_done = true;
  fsync_directory(m_path.parent_path().empty() ? "." : m_path.parent_path());
}

} // namespace core
