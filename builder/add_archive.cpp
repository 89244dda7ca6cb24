#include "builder/add_archive.h"

#include "core/error.h"
#include "core/stream.h"

#include <archive.h>
#include <archive_entry.h>

#include <array>
#include <memory>

namespace builder {

namespace fs = std::filesystem;

namespace {

constexpr size_t k_block = 512;

/// The decompressed bytes of a file, whatever libarchive's filters
/// recognise (gzip, bzip2, xz, zstd, …; plain bytes pass through).
class DecompressedFile : public core::InputStream {
public:
  explicit DecompressedFile(const fs::path& file) : m_name(file.string()) {
    archive* a = archive_read_new();
    if (a == nullptr) {
      throw core::Error("libarchive: out of memory");
    }
    m_archive.reset(a);
    archive_read_support_filter_all(a);
    archive_read_support_format_raw(a); // the stream itself, not its members
    if (archive_read_open_filename(a, file.c_str(), size_t{1} << 16) != ARCHIVE_OK) {
      fail("open");
    }
    archive_entry* entry = nullptr;
    if (archive_read_next_header(a, &entry) != ARCHIVE_OK) {
      fail("read");
    }
  }

  size_t read(void* buffer, size_t size) override {
    la_ssize_t n = archive_read_data(m_archive.get(), buffer, size);
    if (n < 0) {
      fail("decompress");
    }
    return static_cast<size_t>(n);
  }

private:
  struct Free {
    void operator()(archive* a) const { archive_read_free(a); }
  };

  [[noreturn]] void fail(const char* what) const {
    const char* reason = archive_error_string(m_archive.get());
    throw core::InputError(std::string(what) + " '" + m_name +
                           "': " + (reason ? reason : "unknown libarchive error"));
  }

  std::string m_name;
  std::unique_ptr<archive, Free> m_archive;
};

/// Reads up to `size` bytes, fewer only at the end of the stream.
size_t read_full(core::InputStream& in, unsigned char* buffer, size_t size) {
  size_t done = 0;
  while (done < size) {
    size_t n = in.read(buffer + done, size - done);
    if (n == 0) {
      break;
    }
    done += n;
  }
  return done;
}

/// A tar header block: not all zeros, and its checksum field matches the
/// sum of its bytes (the field itself counted as spaces), as tar readers
/// check; some old tars summed signed bytes, which is accepted too.
bool is_tar_header(const std::array<unsigned char, k_block>& block) {
  long unsigned_sum = 0;
  long signed_sum = 0;
  bool all_zero = true;
  for (size_t i = 0; i < k_block; ++i) {
    unsigned char c = (i >= 148 && i < 156) ? ' ' : block[i];
    all_zero = all_zero && block[i] == 0;
    unsigned_sum += c;
    signed_sum += static_cast<signed char>(c);
  }
  if (all_zero) {
    return false;
  }
  long stored = 0;
  bool digits = false;
  for (size_t i = 148; i < 156; ++i) {
    unsigned char c = block[i];
    if (c >= '0' && c <= '7') {
      stored = stored * 8 + (c - '0');
      digits = true;
    } else if (c != ' ' && c != 0) {
      return false;
    } else if (digits) {
      break;
    }
  }
  return digits && (stored == unsigned_sum || stored == signed_sum);
}

} // namespace

bool is_extractable_archive(const fs::path& file) {
  try {
    DecompressedFile in(file);
    std::array<unsigned char, k_block> block{};
    return read_full(in, block.data(), block.size()) == k_block && is_tar_header(block);
  } catch (const core::Error&) {
    return false; // unreadable as a compressed stream: copied as a plain file
  }
}

void extract_archive(const fs::path& file, const fs::path& dir,
                     const std::optional<core::OwnerOverride>& owner, const std::string& name) {
  DecompressedFile in(file);
  core::ApplyOptions options;
  options.whiteouts = core::Whiteouts::literal;
  options.owner = owner;
  core::apply_layer(in, dir, "ADD " + name, options);
}

} // namespace builder
