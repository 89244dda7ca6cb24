#include "core/archive_index.h"

#include "core/path_util.h"

#include "core/error.h"
#include "core/media_types.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace core {

namespace {

constexpr size_t k_block = 512;
constexpr size_t k_max_members = 1'000'000;
constexpr std::uint64_t k_max_meta = 1 << 20; ///< long names / PAX headers

using Block = std::array<char, k_block>;

/// pread that retries EINTR and short reads; returns bytes read (< size at EOF).
size_t pread_full(int fd, void* buffer, size_t size, std::uint64_t offset,
                  const std::string& what) {
  char* p = static_cast<char*>(buffer);
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::pread(fd, p + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      throw_errno("read", what);
    }
    if (n == 0) {
      break;
    }
    done += static_cast<size_t>(n);
  }
  return done;
}

std::string field(const Block& b, size_t offset, size_t length) {
  const char* p = b.data() + offset;
  return std::string(p, strnlen(p, length));
}

/// Octal (NUL/space padded) or base-256 (high bit set) numeric field.
std::optional<std::uint64_t> number(const Block& b, size_t offset, size_t length) {
  const auto* p = reinterpret_cast<const unsigned char*>(b.data() + offset);
  if (p[0] & 0x80) {
    std::uint64_t v = p[0] & 0x7f;
    for (size_t i = 1; i < length; ++i) {
      if (v >> 55) {
        return std::nullopt;
      }
      v = (v << 8) | p[i];
    }
    return v;
  }
  std::uint64_t v = 0;
  size_t i = 0;
  while (i < length && p[i] == ' ') {
    ++i;
  }
  for (; i < length && p[i] >= '0' && p[i] <= '7'; ++i) {
    v = (v << 3) | (p[i] - '0');
  }
  for (; i < length; ++i) {
    if (p[i] != ' ' && p[i] != '\0') {
      return std::nullopt;
    }
  }
  return v;
}

bool checksum_ok(const Block& b) {
  std::optional<std::uint64_t> stored = number(b, 148, 8);
  if (!stored) {
    return false;
  }
  std::uint64_t sum = 0;
  for (size_t i = 0; i < k_block; ++i) {
    sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(b[i]);
  }
  return sum == *stored;
}

bool all_zero(const Block& b) {
  return std::all_of(b.begin(), b.end(), [](char c) { return c == 0; });
}

/// Overrides from PAX ('x') records "<len> key=value\n".
struct PaxOverrides {
  std::optional<std::string> path;
  std::optional<std::string> linkpath;
  std::optional<std::uint64_t> size;
};

void parse_pax(std::string_view data, PaxOverrides& out) {
  while (!data.empty()) {
    size_t space = data.find(' ');
    if (space == std::string_view::npos) {
      return;
    }
    size_t length = 0;
    for (char c : data.substr(0, space)) {
      if (c < '0' || c > '9') {
        return;
      }
      length = length * 10 + static_cast<size_t>(c - '0');
    }
    if (length <= space + 1 || length > data.size()) {
      return;
    }
    std::string_view record = data.substr(space + 1, length - space - 2); // drop '\n'
    size_t eq = record.find('=');
    if (eq != std::string_view::npos) {
      std::string_view key = record.substr(0, eq);
      std::string value(record.substr(eq + 1));
      if (key == "path") {
        out.path = value;
      } else if (key == "linkpath") {
        out.linkpath = value;
      } else if (key == "size") {
        out.size = std::strtoull(value.c_str(), nullptr, 10);
      }
    }
    data.remove_prefix(length);
  }
}

std::uint64_t padded(std::uint64_t size) {
  return (size + k_block - 1) / k_block * k_block;
}

} // namespace

std::optional<std::string> normalise_member_name(std::string_view name) {
  std::optional<std::string> clean = normalize_layer_path(name);
  if (clean && *clean == ".") {
    clean->clear(); // the root itself names no member
  }
  return clean;
}

ArchiveIndex ArchiveIndex::open(const std::filesystem::path& path) {
  ArchiveIndex index;
  index.m_name = path.filename().string();
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    throw_errno("open", path.string());
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    throw_errno("stat", path.string());
  }
  if (!S_ISREG(st.st_mode)) {
    throw InputError(index.m_name + ": not a regular file");
  }
  const auto file_size = static_cast<std::uint64_t>(st.st_size);
  const std::string& what = index.m_name;

  std::uint64_t offset = 0;
  PaxOverrides pax;
  std::optional<std::string> long_name, long_link;
  bool first = true;
  for (;;) {
    Block b{};
    size_t got = pread_full(fd.get(), b.data(), k_block, offset, path.string());
    if (got == 0 && !first) {
      break; // lenient: end without the two zero blocks
    }
    if (first) {
      Compression c = sniff_compression(std::string_view(b.data(), got));
      if (c != Compression::none) {
        throw InputError(what + ": compressed (" + std::string(to_string(c)) +
                         "); expected a plain tar archive");
      }
    }
    if (got < k_block) {
      if (first) {
        throw InputError(what + ": not a tar archive (too short)");
      }
      throw InputError(what + ": truncated tar header at offset " + std::to_string(offset));
    }
    if (all_zero(b)) {
      if (first) {
        throw InputError(what + ": not a tar archive (empty)");
      }
      break;
    }
    if (!checksum_ok(b)) {
      if (first) {
        throw InputError(what + ": not a tar archive");
      }
      throw InputError(what + ": corrupt tar header at offset " + std::to_string(offset));
    }
    first = false;
    char type = b[156];
    std::optional<std::uint64_t> size = number(b, 124, 12);
    if (!size) {
      throw InputError(what + ": bad size field in tar header at offset " + std::to_string(offset));
    }
    std::uint64_t data_offset = offset + k_block;
    if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
      if (*size > k_max_meta || data_offset + *size > file_size) {
        throw InputError(what + ": bad extended header at offset " + std::to_string(offset));
      }
      std::string data(*size, '\0');
      pread_full(fd.get(), data.data(), data.size(), data_offset, path.string());
      if (type == 'x') {
        parse_pax(data, pax);
      } else if (type == 'L') {
        long_name = std::string(data.c_str());
      } else if (type == 'K') {
        long_link = std::string(data.c_str());
      }
      offset = data_offset + padded(*size);
      continue;
    }
    ArchiveMember m;
    m.type = type;
    std::string raw_name = field(b, 0, 100);
    std::string prefix = field(b, 345, 155);
    if (std::memcmp(b.data() + 257, "ustar", 5) == 0 && !prefix.empty()) {
      raw_name = prefix + "/" + raw_name;
    }
    raw_name = pax.path.value_or(long_name.value_or(raw_name));
    m.link_target = pax.linkpath.value_or(long_link.value_or(field(b, 157, 100)));
    m.size = pax.size.value_or(*size);
    m.offset = data_offset;
    pax = {};
    long_name.reset();
    long_link.reset();

    bool has_data = !(type == '2' || type == '3' || type == '4' || type == '5' || type == '6');
    std::uint64_t skip = has_data ? m.size : 0;
    if (!has_data) {
      m.size = 0;
    }
    std::optional<std::string> clean = normalise_member_name(raw_name);
    if (data_offset + skip > file_size) {
      throw InputError(what + ": member '" + raw_name + "': truncated (needs " +
                       std::to_string(skip) + " bytes, archive ends " +
                       std::to_string(file_size - data_offset) + " bytes later)");
    }
    if (index.m_members.size() >= k_max_members) {
      throw InputError(what + ": more than " + std::to_string(k_max_members) + " members");
    }
    if (clean && !clean->empty()) { // members escaping the root are never looked up
      m.name = std::move(*clean);
      index.m_by_name[m.name] = index.m_members.size();
      index.m_members.push_back(std::move(m));
    }
    offset = data_offset + padded(skip);
  }
  index.m_fd = std::make_shared<UniqueFd>(std::move(fd));
  return index;
}

const ArchiveMember* ArchiveIndex::find(std::string_view name) const {
  std::optional<std::string> clean = normalise_member_name(name);
  if (!clean) {
    return nullptr;
  }
  auto it = m_by_name.find(*clean);
  return it == m_by_name.end() ? nullptr : &m_members[it->second];
}

const ArchiveMember* ArchiveIndex::resolve(std::string_view name) const {
  const ArchiveMember* m = find(name);
  for (int hops = 0; m != nullptr && hops < 16; ++hops) {
    if (m->is_regular()) {
      return m;
    }
    if (m->type == '1') {
      m = find(m->link_target); // hardlink targets are archive paths
    } else if (m->type == '2') {
      std::string base;
      size_t slash = m->name.rfind('/');
      if (slash != std::string::npos && !m->link_target.starts_with('/')) {
        base = m->name.substr(0, slash + 1);
      }
      m = find(base + m->link_target);
    } else {
      return nullptr;
    }
  }
  return nullptr;
}

namespace {

class MemberStream : public InputStream {
public:
  MemberStream(std::shared_ptr<UniqueFd> fd, std::uint64_t offset, std::uint64_t size,
               std::string what)
      : m_fd(std::move(fd)), m_offset(offset), m_left(size), m_what(std::move(what)) {}

  size_t read(void* buffer, size_t size) override {
    size_t want = static_cast<size_t>(std::min<std::uint64_t>(size, m_left));
    if (want == 0) {
      return 0;
    }
    size_t n = pread_full(m_fd->get(), buffer, want, m_offset, m_what);
    if (n == 0) {
      throw InputError(m_what + ": truncated");
    }
    m_offset += n;
    m_left -= n;
    return n;
  }

private:
  std::shared_ptr<UniqueFd> m_fd;
  std::uint64_t m_offset;
  std::uint64_t m_left;
  std::string m_what;
};

} // namespace

std::string ArchiveIndex::describe(const ArchiveMember& member) const {
  return m_name + ": member '" + member.name + "'";
}

std::unique_ptr<InputStream> ArchiveIndex::open_member(const ArchiveMember& member) const {
  return std::make_unique<MemberStream>(m_fd, member.offset, member.size, describe(member));
}

std::string ArchiveIndex::read_member(std::string_view name, size_t limit) const {
  const ArchiveMember* m = resolve(name);
  if (m == nullptr) {
    throw InputError(m_name + ": " + std::string(name) + ": missing");
  }
  if (m->size > limit) {
    throw InputError(describe(*m) + ": larger than the limit of " + std::to_string(limit) +
                     " bytes");
  }
  std::unique_ptr<InputStream> in = open_member(*m);
  return read_all(*in, describe(*m), limit);
}

} // namespace core
