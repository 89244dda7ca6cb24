#include "core/layer_writer.h"

#include "core/async_output.h"
#include "core/error.h"
#include "core/path_util.h"
#include "core/tar_writer.h"
#include "core/unique_fd.h"
#include "core/whiteout.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <map>
#include <utility>
#include <vector>

namespace fs = std::filesystem;

namespace core {
namespace {

constexpr size_t k_buffer_size = size_t{1} << 20;

/// Hashes and counts what passes through to `sink`.
class HashingOutput : public OutputStream {
public:
  /// With `hash` false it only counts (an uncompressed blob is the tar, whose
  /// hash the diff_id already is).
  HashingOutput(OutputStream& sink, bool hash) : m_sink(sink), m_enabled(hash) {}
  void write(const void* data, size_t size) override {
    if (m_enabled) {
      m_hash.update(data, size);
    }
    m_size += size;
    m_sink.write(data, size);
  }
  using OutputStream::write;
  void finish() override { m_sink.finish(); }
  Sha256& hash() { return m_hash; }
  std::uint64_t size() const noexcept { return m_size; }

private:
  OutputStream& m_sink;
  bool m_enabled;
  Sha256 m_hash;
  std::uint64_t m_size = 0;
};

/// Collects the tar stream into 1 MiB blocks, hashes each (the diff_id) and
/// passes it on, so the hasher and the compressor see few large calls.
class BlockBuffer : public OutputStream {
public:
  explicit BlockBuffer(OutputStream& sink) : m_sink(sink) { m_block.reserve(k_buffer_size); }
  void write(const void* data, size_t size) override {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
      size_t n = std::min(size, k_buffer_size - m_block.size());
      m_block.insert(m_block.end(), p, p + n);
      p += n;
      size -= n;
      if (m_block.size() == k_buffer_size) {
        flush();
      }
    }
  }
  using OutputStream::write;
  void finish() override {
    flush();
    m_sink.finish();
  }
  Sha256& hash() { return m_hash; }

private:
  void flush() {
    m_hash.update(m_block.data(), m_block.size());
    m_sink.write(m_block.data(), m_block.size());
    m_block.clear();
  }
  OutputStream& m_sink;
  Sha256 m_hash;
  std::vector<char> m_block;
};

std::string xattr_error(const fs::path& source) {
  return "read xattrs of '" + source.string() + "'";
}

/// The NUL-separated xattr names of `source` (not following symlinks).
std::string list_xattr_names(const fs::path& source) {
  // One call covers almost every file: most have no xattrs at all.
  std::string names(1024, '\0');
  for (;;) {
    ssize_t len = ::llistxattr(source.c_str(), names.data(), names.size());
    if (len >= 0) {
      names.resize(static_cast<size_t>(len));
      return names;
    }
    if (errno == ENOTSUP || errno == ENODATA) {
      return {};
    }
    if (errno != ERANGE) {
      throw_errno("list xattrs of", source.string());
    }
    len = ::llistxattr(source.c_str(), nullptr, 0);
    if (len < 0) {
      throw_errno("list xattrs of", source.string());
    }
    names.resize(static_cast<size_t>(len) + 1);
  }
}

/// All xattrs of `source` (not following symlinks), sorted by name.
std::vector<std::pair<std::string, std::string>> read_xattrs(const fs::path& source) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string names = list_xattr_names(source);
  for (size_t pos = 0; pos < names.size();) {
    std::string name(names.c_str() + pos);
    pos += name.size() + 1;
    if (name.empty() || name == "security.selinux") {
      continue; // the host's label, not part of the image
    }
    ssize_t vlen = ::lgetxattr(source.c_str(), name.c_str(), nullptr, 0);
    if (vlen < 0) {
      if (errno == ENODATA) {
        continue; // removed meanwhile
      }
      throw_errno(xattr_error(source) + ": get", name);
    }
    std::string value(static_cast<size_t>(vlen), '\0');
    vlen = ::lgetxattr(source.c_str(), name.c_str(), value.data(), value.size());
    if (vlen < 0) {
      throw_errno(xattr_error(source) + ": get", name);
    }
    value.resize(static_cast<size_t>(vlen));
    out.emplace_back(std::move(name), std::move(value));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<TarEntryType> type_of(mode_t mode) {
  switch (mode & S_IFMT) {
  case S_IFREG: return TarEntryType::regular;
  case S_IFDIR: return TarEntryType::directory;
  case S_IFLNK: return TarEntryType::symlink;
  case S_IFCHR: return TarEntryType::char_device;
  case S_IFBLK: return TarEntryType::block_device;
  case S_IFIFO: return TarEntryType::fifo;
  default: return std::nullopt; // sockets
  }
}

std::string read_link(const fs::path& source, size_t size_hint) {
  std::string target(std::max<size_t>(size_hint, 64) + 1, '\0');
  for (;;) {
    ssize_t n = ::readlink(source.c_str(), target.data(), target.size());
    if (n < 0) {
      throw_errno("readlink", source.string());
    }
    if (static_cast<size_t>(n) < target.size()) {
      target.resize(static_cast<size_t>(n));
      return target;
    }
    target.resize(target.size() * 2);
  }
}

/// Streams exactly `size` bytes of `source` into the tar.
void copy_file_data(TarWriter& tar, const fs::path& source, std::uint64_t size,
                    std::vector<char>& buffer) {
  UniqueFd fd(::open(source.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) {
    throw_errno("open", source.string());
  }
  std::uint64_t left = size;
  while (left > 0) {
    size_t want = static_cast<size_t>(std::min<std::uint64_t>(left, buffer.size()));
    ssize_t n = ::read(fd.get(), buffer.data(), want);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      throw_errno("read", source.string());
    }
    if (n == 0) {
      throw Error("read '" + source.string() + "': file shrank while writing the layer");
    }
    tar.write_data(buffer.data(), static_cast<size_t>(n));
    left -= static_cast<std::uint64_t>(n);
  }
}

/// The tar entry for `source` as lstat saw it; nullopt for a socket.
std::optional<TarEntry> entry_from_stat(const std::string& path, const fs::path& source,
                                        const struct stat& st) {
  auto type = type_of(st.st_mode);
  if (!type) {
    return std::nullopt;
  }
  TarEntry entry;
  entry.path = path;
  entry.type = *type;
  entry.mode = st.st_mode & 07777;
  entry.uid = st.st_uid;
  entry.gid = st.st_gid;
  entry.mtime = st.st_mtim.tv_sec;
  if (entry.type == TarEntryType::regular) {
    entry.size = static_cast<std::uint64_t>(st.st_size);
  } else if (entry.type == TarEntryType::symlink) {
    entry.link_target = read_link(source, static_cast<size_t>(st.st_size));
  } else if (entry.type == TarEntryType::char_device || entry.type == TarEntryType::block_device) {
    entry.dev_major = major(st.st_rdev);
    entry.dev_minor = minor(st.st_rdev);
  }
  entry.xattrs = read_xattrs(source);
  return entry;
}

} // namespace

LayerWriter::LayerWriter(OutputStream& blob, LayerWriterOptions options)
    : m_blob(blob), m_options(std::move(options)) {}

LayerWriter::~LayerWriter() = default;

void LayerWriter::add_path(std::string_view layer_path, const fs::path& source) {
  auto path = normalize_layer_path(layer_path);
  if (!path || *path == ".") {
    throw Error("add '" + std::string(layer_path) + "' to layer: not a path inside the layer");
  }
  m_entries[*path] = Pending{source};
}

void LayerWriter::add_tree(const fs::path& dir, std::string_view under) {
  auto base = normalize_layer_path(under);
  if (!base) {
    throw Error("add tree under '" + std::string(under) + "': path escapes the layer root");
  }
  if (*base != ".") {
    m_entries[*base] = Pending{dir};
  }
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec);
  if (ec) {
    throw Error("read directory '" + dir.string() + "': " + ec.message());
  }
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) {
      throw Error("read directory '" + dir.string() + "': " + ec.message());
    }
    fs::path rel = it->path().lexically_relative(dir);
    m_entries[join_layer_path(*base, rel.native())] = Pending{it->path()};
  }
  if (ec) {
    throw Error("read directory '" + dir.string() + "': " + ec.message());
  }
}

void LayerWriter::add_whiteout(std::string_view layer_path) {
  auto path = normalize_layer_path(layer_path);
  if (!path || *path == ".") {
    throw Error("add whiteout for '" + std::string(layer_path) + "': not a path in the layer");
  }
  m_entries[whiteout_path_for(*path)] = Pending{};
}

void LayerWriter::add_opaque_whiteout(std::string_view dir) {
  auto path = normalize_layer_path(dir);
  if (!path) {
    throw Error("add opaque whiteout for '" + std::string(dir) + "': not a path in the layer");
  }
  m_entries[opaque_whiteout_path_for(*path)] = Pending{};
}

void LayerWriter::write_all(TarWriter& tar, LayerResult& result) {
  std::vector<char> buffer(k_buffer_size);
  std::map<std::pair<dev_t, ino_t>, std::string> first_link; // inode -> first path
  auto clamp = [&](std::int64_t t) {
    auto epoch = m_options.source_date_epoch;
    return epoch && t > *epoch ? *epoch : t;
  };
  for (const auto& [path, pending] : m_entries) {
    if (pending.source.empty()) { // whiteout marker: an empty regular file
      TarEntry whiteout;
      whiteout.path = path;
      whiteout.mtime = clamp(0);
      tar.write_header(whiteout);
      ++result.entry_count;
      continue;
    }
    struct stat st {};
    if (::lstat(pending.source.c_str(), &st) != 0) {
      throw_errno("lstat", pending.source.string());
    }
    auto entry = entry_from_stat(path, pending.source, st);
    if (!entry) {
      result.notes.push_back("skipped socket '" + path + "'");
      continue;
    }
    entry->mtime = clamp(entry->mtime);
    if (entry->type == TarEntryType::regular && st.st_nlink > 1) {
      auto [it, inserted] = first_link.try_emplace({st.st_dev, st.st_ino}, path);
      if (!inserted) { // stored once: later paths of the inode link to the first
        entry->type = TarEntryType::hardlink;
        entry->link_target = it->second;
        entry->size = 0;
      }
    }
    tar.write_header(*entry);
    if (entry->type == TarEntryType::regular && entry->size > 0) {
      copy_file_data(tar, pending.source, entry->size, buffer);
    }
    ++result.entry_count;
  }
}

LayerResult LayerWriter::finish() {
  // blob <- HashingOutput (digest) <- compressor [worker thread] <- BlockBuffer (diff_id) <- tar
  // Uncompressed, the worker thread still does the writing.
  bool compressed = m_options.compression != Compression::none;
  HashingOutput hashed_blob(m_blob, compressed);
  auto compressor = make_compressor(m_options.compression, hashed_blob, m_options.compress);
  std::unique_ptr<AsyncOutputStream> async;
  OutputStream* compress_input = compressor.get();
  if (m_options.threading == CompressThreading::own_thread) {
    async = std::make_unique<AsyncOutputStream>(*compressor);
    compress_input = async.get();
  }
  BlockBuffer tar_bytes(*compress_input);
  TarWriter tar(tar_bytes);

  LayerResult result{.diff_id = sha256_of(""),
                     .digest = sha256_of(""),
                     .size = 0,
                     .compression = m_options.compression,
                     .uncompressed_size = 0,
                     .entry_count = 0,
                     .notes = {}};
  write_all(tar, result);
  tar.finish();
  tar_bytes.finish(); // flushes through the compressor and finishes the blob
  result.uncompressed_size = tar_bytes.hash().size();
  result.diff_id = tar_bytes.hash().finish();
  result.size = hashed_blob.size();
  result.digest = compressed ? hashed_blob.hash().finish() : result.diff_id;
  m_entries.clear();
  return result;
}

std::int64_t parse_source_date_epoch(std::string_view text, std::string_view origin) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || value < 0) {
    throw InputError(std::string(origin) + " '" + std::string(text) +
                     "': not a non-negative number of seconds");
  }
  return value;
}

std::optional<std::int64_t> source_date_epoch_from_env() {
  const char* text = std::getenv("SOURCE_DATE_EPOCH");
  if (!text || !*text) {
    return std::nullopt;
  }
  return parse_source_date_epoch(text, "SOURCE_DATE_EPOCH");
}

} // namespace core
