#pragma once

// Internal: the 512-byte ustar header block layout shared by TarWriter and
// TarReader. Not part of the public API.

#include <cstddef>
#include <cstdint>

namespace core::tar {

inline constexpr size_t k_block = 512;

/// Offsets and sizes of the ustar header fields (POSIX pax/ustar).
struct Field {
  size_t offset;
  size_t size;
};
inline constexpr Field k_name{0, 100};
inline constexpr Field k_mode{100, 8};
inline constexpr Field k_uid{108, 8};
inline constexpr Field k_gid{116, 8};
inline constexpr Field k_size{124, 12};
inline constexpr Field k_mtime{136, 12};
inline constexpr Field k_checksum{148, 8};
inline constexpr size_t k_typeflag = 156;
inline constexpr Field k_linkname{157, 100};
inline constexpr Field k_magic{257, 6};
inline constexpr Field k_version{263, 2};
inline constexpr Field k_uname{265, 32};
inline constexpr Field k_gname{297, 32};
inline constexpr Field k_devmajor{329, 8};
inline constexpr Field k_devminor{337, 8};
inline constexpr Field k_prefix{345, 155};

/// Sum of the header bytes with the checksum field counted as spaces.
inline std::uint32_t header_checksum(const unsigned char* block) {
  std::uint32_t sum = 0;
  for (size_t i = 0; i < k_block; ++i) {
    bool in_field = i >= k_checksum.offset && i < k_checksum.offset + k_checksum.size;
    sum += in_field ? ' ' : block[i];
  }
  return sum;
}

/// The largest value an octal field of `size` bytes holds (size-1 digits).
inline constexpr std::uint64_t max_octal(size_t size) {
  return (std::uint64_t{1} << (3 * (size - 1))) - 1;
}

} // namespace core::tar
