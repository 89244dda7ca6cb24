#include "core/tar_reader.h"

#include "core/error.h"
#include "core/path_util.h"
#include "core/tar_header.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace core {

/// Values from PAX ('x') and GNU ('L', 'K') headers for the next entry.
struct TarReader::Overrides {
  std::optional<std::string> path;
  std::optional<std::string> linkpath;
  std::optional<std::uint64_t> size;
  std::optional<std::uint64_t> uid;
  std::optional<std::uint64_t> gid;
  std::optional<std::int64_t> mtime;
  std::vector<std::pair<std::string, std::string>> xattrs;
  bool any = false;
};

namespace {

using Block = std::array<unsigned char, tar::k_block>;

std::string_view field_text(const Block& block, tar::Field f) {
  const char* p = reinterpret_cast<const char*>(block.data() + f.offset);
  return std::string_view(p, strnlen(p, f.size));
}

/// Octal (optionally space/NUL padded) or GNU base-256. nullopt if invalid
/// or negative.
std::optional<std::uint64_t> parse_number(const Block& block, tar::Field f) {
  const unsigned char* p = block.data() + f.offset;
  if (p[0] & 0x80) {
    if (p[0] == 0xff) {
      return std::nullopt; // negative
    }
    std::uint64_t value = p[0] & 0x7f;
    for (size_t i = 1; i < f.size; ++i) {
      if (value >> 56) {
        return std::nullopt;
      }
      value = (value << 8) | p[i];
    }
    return value;
  }
  size_t i = 0;
  while (i < f.size && p[i] == ' ') {
    ++i;
  }
  std::uint64_t value = 0;
  for (; i < f.size && p[i] != '\0' && p[i] != ' '; ++i) {
    if (p[i] < '0' || p[i] > '7' || (value >> 61)) {
      return std::nullopt;
    }
    value = value * 8 + (p[i] - '0');
  }
  return value;
}

std::optional<std::int64_t> parse_decimal(std::string_view text, bool allow_fraction) {
  bool negative = !text.empty() && text[0] == '-';
  if (negative) {
    text.remove_prefix(1);
  }
  if (allow_fraction) {
    text = text.substr(0, text.find('.'));
  }
  if (text.empty() || text.size() > 18) {
    return std::nullopt;
  }
  std::int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    value = value * 10 + (c - '0');
  }
  return negative ? -value : value;
}

bool is_zero_block(const Block& block) {
  return std::all_of(block.begin(), block.end(), [](unsigned char c) { return c == 0; });
}

bool checksum_ok(const Block& block) {
  auto stored = parse_number(block, tar::k_checksum);
  if (!stored) {
    return false;
  }
  std::uint32_t unsigned_sum = tar::header_checksum(block.data());
  std::int64_t signed_sum = 0; // some old tars summed signed chars
  for (size_t i = 0; i < tar::k_block; ++i) {
    bool in_field = i >= tar::k_checksum.offset && i < tar::k_checksum.offset + 8;
    signed_sum += in_field ? ' ' : static_cast<signed char>(block[i]);
  }
  return *stored == unsigned_sum || static_cast<std::int64_t>(*stored) == signed_sum;
}

std::optional<TarEntryType> type_of(char flag) {
  switch (flag) {
  case '0':
  case '\0':
  case '7': return TarEntryType::regular;
  case '1': return TarEntryType::hardlink;
  case '2': return TarEntryType::symlink;
  case '3': return TarEntryType::char_device;
  case '4': return TarEntryType::block_device;
  case '5': return TarEntryType::directory;
  case '6': return TarEntryType::fifo;
  default: return std::nullopt;
  }
}

std::string printable_flag(char flag) {
  if (flag >= 0x20 && flag < 0x7f) {
    return std::string("'") + flag + "'";
  }
  return "0x" + std::to_string(static_cast<unsigned char>(flag));
}

} // namespace

TarReader::TarReader(InputStream& source, std::string name, TarReaderOptions options)
    : m_name(std::move(name)), m_options(options), m_buffer(size_t{1} << 20) {
  auto opened = open_decompressed(source, m_name, m_options.decompress);
  m_compression = opened.compression;
  m_stream = std::move(opened.stream);
}

TarReader::~TarReader() = default;

void TarReader::fail(const std::string& path, const std::string& problem) const {
  if (m_in_header) { // between entries: name the place by the entry before
    std::string where = m_entries == 0 ? "first entry" : "entry after '" + path + "'";
    throw InputError(m_name + ": " + where + ": " + problem);
  }
  throw InputError(m_name + ": entry '" + path + "': " + problem);
}

size_t TarReader::read_raw(void* buffer, size_t size) {
  if (m_buffer_pos == m_buffer_end) {
    if (size >= m_buffer.size()) {
      return m_stream->read(buffer, size);
    }
    m_buffer_pos = 0;
    m_buffer_end = m_stream->read(m_buffer.data(), m_buffer.size());
    if (m_buffer_end == 0) {
      return 0;
    }
  }
  size_t n = std::min(size, m_buffer_end - m_buffer_pos);
  std::memcpy(buffer, m_buffer.data() + m_buffer_pos, n);
  m_buffer_pos += n;
  return n;
}

bool TarReader::read_block(unsigned char* block, bool allow_eof) {
  size_t have = 0;
  while (have < tar::k_block) {
    size_t n = read_raw(block + have, tar::k_block - have);
    if (n == 0) {
      if (have == 0 && allow_eof) {
        return false;
      }
      fail(m_current_path, "unexpected end of archive (truncated header)");
    }
    have += n;
  }
  return true;
}

void TarReader::skip(std::uint64_t size) {
  char scratch[16384];
  while (size > 0) {
    size_t n =
        read_raw(scratch, static_cast<size_t>(std::min<std::uint64_t>(size, sizeof scratch)));
    if (n == 0) {
      fail(m_current_path, "unexpected end of archive (truncated data)");
    }
    size -= n;
  }
}

std::string TarReader::read_header_data(std::uint64_t size, const std::string& what) {
  if (size > m_options.max_header_data) {
    fail(m_current_path, what + " of " + std::to_string(size) + " bytes exceeds the limit of " +
                             std::to_string(m_options.max_header_data));
  }
  std::string data(static_cast<size_t>(size), '\0');
  size_t have = 0;
  while (have < data.size()) {
    size_t n = read_raw(data.data() + have, data.size() - have);
    if (n == 0) {
      fail(m_current_path, "unexpected end of archive (truncated " + what + ")");
    }
    have += n;
  }
  skip((tar::k_block - size % tar::k_block) % tar::k_block);
  return data;
}

size_t TarReader::read_data(void* buffer, size_t size) {
  size_t want = static_cast<size_t>(std::min<std::uint64_t>(size, m_remaining));
  if (want == 0) {
    return 0;
  }
  size_t n = read_raw(buffer, want);
  if (n == 0) {
    fail(m_current_path, "unexpected end of archive (truncated data)");
  }
  m_remaining -= n;
  return n;
}

void TarReader::parse_pax(std::string_view data, Overrides& ov) {
  while (!data.empty()) {
    size_t space = data.find(' ');
    auto len = space == std::string_view::npos ? std::nullopt
                                               : parse_decimal(data.substr(0, space), false);
    if (!len || *len <= static_cast<std::int64_t>(space) + 1 ||
        static_cast<size_t>(*len) > data.size() || data[static_cast<size_t>(*len) - 1] != '\n') {
      fail(m_current_path, "malformed PAX header");
    }
    std::string_view record = data.substr(space + 1, static_cast<size_t>(*len) - space - 2);
    data.remove_prefix(static_cast<size_t>(*len));
    size_t eq = record.find('=');
    if (eq == std::string_view::npos) {
      fail(m_current_path, "malformed PAX record");
    }
    std::string_view key = record.substr(0, eq);
    std::string_view value = record.substr(eq + 1);
    auto number = [&](bool fraction) {
      auto v = parse_decimal(value, fraction);
      if (!v || (!fraction && *v < 0)) {
        fail(m_current_path, "invalid PAX " + std::string(key) + " '" + std::string(value) + "'");
      }
      return *v;
    };
    if (key == "path") {
      ov.path = std::string(value);
    } else if (key == "linkpath") {
      ov.linkpath = std::string(value);
    } else if (key == "size") {
      ov.size = static_cast<std::uint64_t>(number(false));
    } else if (key == "uid") {
      ov.uid = static_cast<std::uint64_t>(number(false));
    } else if (key == "gid") {
      ov.gid = static_cast<std::uint64_t>(number(false));
    } else if (key == "mtime") {
      ov.mtime = number(true);
    } else if (key.starts_with("SCHILY.xattr.")) {
      ov.xattrs.emplace_back(std::string(key.substr(13)), std::string(value));
    } else if (key.starts_with("GNU.sparse.")) {
      fail(m_current_path, "sparse files are not supported in layers");
    }
    ov.any = true;
  }
}

TarEntry TarReader::build_entry(const unsigned char* raw, Overrides& ov) {
  Block block;
  std::memcpy(block.data(), raw, block.size());
  char flag = static_cast<char>(block[tar::k_typeflag]);
  bool posix = std::memcmp(block.data() + tar::k_magic.offset, "ustar\0", 6) == 0;
  std::string raw_path;
  if (ov.path) {
    raw_path = *ov.path;
  } else {
    std::string_view prefix = posix ? field_text(block, tar::k_prefix) : std::string_view();
    raw_path = prefix.empty() ? std::string() : std::string(prefix) + "/";
    raw_path += field_text(block, tar::k_name);
  }
  m_current_path = raw_path;
  m_in_header = false;
  auto type = type_of(flag);
  if (!type) {
    fail(raw_path, "unsupported entry type " + printable_flag(flag));
  }
  TarEntry entry;
  entry.type = flag == '\0' && raw_path.ends_with('/') ? TarEntryType::directory : *type;
  auto path = normalize_layer_path(raw_path);
  if (!path || raw_path.empty()) {
    fail(raw_path, raw_path.empty() ? "empty path" : "path escapes root");
  }
  entry.path = *path;
  auto number = [&](tar::Field f, const char* what) {
    auto v = parse_number(block, f);
    if (!v) {
      fail(raw_path, std::string("invalid ") + what + " field");
    }
    return *v;
  };
  entry.mode = static_cast<std::uint32_t>(number(tar::k_mode, "mode") & 07777);
  std::uint64_t uid = ov.uid ? *ov.uid : number(tar::k_uid, "uid");
  std::uint64_t gid = ov.gid ? *ov.gid : number(tar::k_gid, "gid");
  if (uid > UINT32_MAX || gid > UINT32_MAX) {
    fail(raw_path, "uid or gid out of range");
  }
  entry.uid = static_cast<std::uint32_t>(uid);
  entry.gid = static_cast<std::uint32_t>(gid);
  entry.mtime = ov.mtime ? *ov.mtime : static_cast<std::int64_t>(number(tar::k_mtime, "mtime"));
  std::uint64_t size = ov.size ? *ov.size : number(tar::k_size, "size");
  if (size > m_options.max_entry_size) {
    fail(raw_path, "size " + std::to_string(size) + " exceeds the limit of " +
                       std::to_string(m_options.max_entry_size) + " bytes");
  }
  // Like Go's archive/tar: links, devices, directories and FIFOs carry no data.
  entry.size = entry.type == TarEntryType::regular ? size : 0;
  std::string link = ov.linkpath ? *ov.linkpath : std::string(field_text(block, tar::k_linkname));
  if (entry.type == TarEntryType::hardlink) {
    auto target = normalize_layer_path(link);
    if (!target || link.empty()) {
      fail(raw_path, "hardlink target '" + link + "' escapes root");
    }
    entry.link_target = *target;
  } else if (entry.type == TarEntryType::symlink) {
    entry.link_target = link;
  }
  if (entry.type == TarEntryType::char_device || entry.type == TarEntryType::block_device) {
    std::uint64_t major = number(tar::k_devmajor, "devmajor");
    std::uint64_t minor = number(tar::k_devminor, "devminor");
    if (major > UINT32_MAX || minor > UINT32_MAX) {
      fail(raw_path, "device number out of range");
    }
    entry.dev_major = static_cast<std::uint32_t>(major);
    entry.dev_minor = static_cast<std::uint32_t>(minor);
  }
  entry.xattrs = std::move(ov.xattrs);
  std::sort(entry.xattrs.begin(), entry.xattrs.end());
  m_remaining = entry.size;
  m_padding = (tar::k_block - entry.size % tar::k_block) % tar::k_block;
  return entry;
}

void TarReader::drain() {
  // Reading to the end lets a decompressor verify its trailer (CRC, size).
  char scratch[16384];
  while (read_raw(scratch, sizeof scratch) > 0) {
  }
}

std::optional<TarEntry> TarReader::next() {
  if (m_ended) {
    return std::nullopt;
  }
  skip(m_remaining + m_padding);
  m_remaining = 0;
  m_padding = 0;
  m_in_header = true;
  Overrides ov;
  Block block;
  for (;;) {
    if (!read_block(block.data(), /*allow_eof=*/!ov.any)) {
      m_ended = true; // no end-of-archive blocks: tolerated, as GNU tar does
      return std::nullopt;
    }
    if (is_zero_block(block)) {
      m_ended = true;
      drain();
      return std::nullopt;
    }
    if (!checksum_ok(block)) {
      if (m_entries == 0 && !ov.any) {
        throw InputError(m_name + ": not a tar archive (bad header checksum)");
      }
      fail(m_current_path, "corrupt tar header (bad checksum)");
    }
    char flag = static_cast<char>(block[tar::k_typeflag]);
    if (flag == 'x' || flag == 'g' || flag == 'L' || flag == 'K') {
      auto size = parse_number(block, tar::k_size);
      if (!size) {
        fail(m_current_path, "invalid size field in an extended header");
      }
      std::string data =
          read_header_data(*size, flag == 'L' || flag == 'K' ? "GNU long name" : "PAX header");
      if (flag == 'x') {
        parse_pax(data, ov);
      } else if (flag == 'L' || flag == 'K') {
        data.resize(strnlen(data.c_str(), data.size()));
        (flag == 'L' ? ov.path : ov.linkpath) = std::move(data);
        ov.any = true;
      }
      continue; // 'g' (global) headers are read and ignored
    }
    if (++m_entries > m_options.max_entries) {
      fail(m_current_path, "more than " + std::to_string(m_options.max_entries) + " entries");
    }
    return build_entry(block.data(), ov);
  }
}

} // namespace core
