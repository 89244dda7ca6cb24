#include "core/tar_writer.h"

#include "core/error.h"
#include "core/path_util.h"
#include "core/tar_header.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <map>

namespace core {
namespace {

using Block = std::array<unsigned char, tar::k_block>;

char typeflag_of(TarEntryType type) {
  switch (type) {
  case TarEntryType::regular: return '0';
  case TarEntryType::hardlink: return '1';
  case TarEntryType::symlink: return '2';
  case TarEntryType::char_device: return '3';
  case TarEntryType::block_device: return '4';
  case TarEntryType::directory: return '5';
  case TarEntryType::fifo: return '6';
  }
  return '0';
}

void put_string(Block& block, tar::Field field, std::string_view text) {
  if (!text.empty()) {
    std::memcpy(block.data() + field.offset, text.data(), std::min(text.size(), field.size));
  }
}

/// Zero-padded octal with a NUL terminator, the form GNU tar and Go write.
void put_octal(Block& block, tar::Field field, std::uint64_t value) {
  char* p = reinterpret_cast<char*>(block.data() + field.offset);
  size_t digits = field.size - 1;
  for (size_t i = digits; i-- > 0;) {
    p[i] = static_cast<char>('0' + (value & 7));
    value >>= 3;
  }
  p[digits] = '\0';
}

/// One PAX record: "<len> <key>=<value>\n", where <len> counts itself.
std::string pax_record(std::string_view key, std::string_view value) {
  size_t base = key.size() + value.size() + 3;
  size_t len = base + 1;
  while (std::to_string(len).size() + base != len) {
    ++len;
  }
  std::string record = std::to_string(len);
  record += ' ';
  record += key;
  record += '=';
  record += value;
  record += '\n';
  return record;
}

/// Splits `name` into ustar prefix/name fields; false if it cannot.
bool split_ustar_name(std::string_view name, std::string_view& prefix, std::string_view& rest) {
  if (name.size() <= tar::k_name.size) {
    prefix = {};
    rest = name;
    return true;
  }
  size_t limit = std::min(name.size() - 1, tar::k_prefix.size);
  for (size_t slash = name.rfind('/', limit); slash != std::string_view::npos && slash > 0;
       slash = name.rfind('/', slash - 1)) {
    std::string_view tail = name.substr(slash + 1);
    if (tail.empty()) {
      continue; // a directory's trailing slash
    }
    if (tail.size() > tar::k_name.size) {
      return false; // splitting further left only makes the name longer
    }
    prefix = name.substr(0, slash);
    rest = tail;
    return true;
  }
  return false;
}

/// The PAX records an entry needs, keyed (and so sorted) by record key.
std::map<std::string, std::string> pax_records_for(const TarEntry& e, std::string_view name) {
  std::map<std::string, std::string> records;
  std::string_view prefix, rest;
  if (!split_ustar_name(name, prefix, rest)) {
    records["path"] = std::string(name);
  }
  if (e.link_target.size() > tar::k_linkname.size) {
    records["linkpath"] = e.link_target;
  }
  if (e.uid > tar::max_octal(tar::k_uid.size)) {
    records["uid"] = std::to_string(e.uid);
  }
  if (e.gid > tar::max_octal(tar::k_gid.size)) {
    records["gid"] = std::to_string(e.gid);
  }
  if (e.size > tar::max_octal(tar::k_size.size)) {
    records["size"] = std::to_string(e.size);
  }
  if (e.mtime < 0 || static_cast<std::uint64_t>(e.mtime) > tar::max_octal(tar::k_mtime.size)) {
    records["mtime"] = std::to_string(e.mtime);
  }
  for (const auto& [key, value] : e.xattrs) {
    records["SCHILY.xattr." + key] = value;
  }
  return records;
}

void finish_header(Block& block) {
  std::memcpy(block.data() + tar::k_magic.offset, "ustar", 6);
  std::memcpy(block.data() + tar::k_version.offset, "00", 2);
  std::uint32_t sum = tar::header_checksum(block.data());
  char* p = reinterpret_cast<char*>(block.data() + tar::k_checksum.offset);
  for (int i = 5; i >= 0; --i) {
    p[i] = static_cast<char>('0' + (sum & 7));
    sum >>= 3;
  }
  p[6] = '\0';
  p[7] = ' ';
}

Block ustar_header(const TarEntry& e, std::string_view name, std::uint64_t size) {
  Block block{};
  std::string_view prefix, rest;
  if (split_ustar_name(name, prefix, rest)) {
    put_string(block, tar::k_name, rest);
    put_string(block, tar::k_prefix, prefix);
  } else {
    put_string(block, tar::k_name, name.substr(0, tar::k_name.size));
  }
  auto clamp = [](std::uint64_t v, tar::Field f) { return v > tar::max_octal(f.size) ? 0 : v; };
  put_octal(block, tar::k_mode, e.mode & 07777);
  put_octal(block, tar::k_uid, clamp(e.uid, tar::k_uid));
  put_octal(block, tar::k_gid, clamp(e.gid, tar::k_gid));
  put_octal(block, tar::k_size, clamp(size, tar::k_size));
  put_octal(block, tar::k_mtime, e.mtime < 0 ? 0 : clamp(std::uint64_t(e.mtime), tar::k_mtime));
  block[tar::k_typeflag] = static_cast<unsigned char>(typeflag_of(e.type));
  put_string(block, tar::k_linkname,
             std::string_view(e.link_target).substr(0, tar::k_linkname.size));
  put_octal(block, tar::k_devmajor, clamp(e.dev_major, tar::k_devmajor));
  put_octal(block, tar::k_devminor, clamp(e.dev_minor, tar::k_devminor));
  finish_header(block);
  return block;
}

} // namespace

void TarWriter::emit(const void* data, size_t size) {
  m_out.write(data, size);
  m_written += size;
}

void TarWriter::close_entry() {
  if (m_remaining != 0) {
    throw Error("write tar entry '" + m_path_of_current + "': " + std::to_string(m_remaining) +
                " bytes of data missing");
  }
  size_t pad = (tar::k_block - m_entry_size % tar::k_block) % tar::k_block;
  static const Block zeros{};
  emit(zeros.data(), pad);
  m_entry_size = 0;
}

void TarWriter::write_header(const TarEntry& entry) {
  close_entry();
  std::string name = entry.path;
  if (entry.type == TarEntryType::directory && name != ".") {
    name += '/'; // as Docker and GNU tar name directories
  } else if (entry.type == TarEntryType::directory) {
    name = "./";
  }
  std::uint64_t size = entry.type == TarEntryType::regular ? entry.size : 0;
  auto records = pax_records_for(entry, name);
  if (!records.empty()) {
    std::string body;
    for (const auto& [key, value] : records) {
      body += pax_record(key, value);
    }
    TarEntry pax;
    pax.mode = 0644;
    std::string pax_name = "PaxHeaders.0/" + std::string(base_name(entry.path));
    Block header = ustar_header(pax, pax_name.substr(0, tar::k_name.size), body.size());
    header[tar::k_typeflag] = 'x';
    finish_header(header);
    emit(header.data(), header.size());
    emit(body.data(), body.size());
    m_entry_size = body.size();
    close_entry();
  }
  Block header = ustar_header(entry, name, size);
  emit(header.data(), header.size());
  m_path_of_current = entry.path;
  m_remaining = size;
  m_entry_size = size;
}

void TarWriter::write_data(const void* data, size_t size) {
  if (size > m_remaining) {
    throw Error("write tar entry '" + m_path_of_current + "': more data than its size");
  }
  emit(data, size);
  m_remaining -= size;
}

void TarWriter::write_entry(const TarEntry& entry, std::string_view data) {
  write_header(entry);
  write_data(data.data(), data.size());
}

void TarWriter::finish() {
  close_entry();
  static const Block zeros{};
  emit(zeros.data(), zeros.size());
  emit(zeros.data(), zeros.size());
}

} // namespace core
