#include "core/media_types.h"

#include <array>

namespace core {

bool is_index(std::string_view media_type) noexcept {
  return media_type == k_oci_index || media_type == k_docker_manifest_list;
}

bool is_manifest(std::string_view media_type) noexcept {
  return media_type == k_oci_manifest || media_type == k_docker_manifest;
}

bool is_config(std::string_view media_type) noexcept {
  return media_type == k_oci_config || media_type == k_docker_config;
}

bool is_foreign_layer(std::string_view media_type) noexcept {
  return media_type == k_oci_foreign_layer_tar || media_type == k_oci_foreign_layer_gzip ||
         media_type == k_oci_foreign_layer_zstd || media_type == k_docker_foreign_layer_gzip;
}

bool is_layer(std::string_view media_type) noexcept {
  static constexpr std::array k_plain = {k_oci_layer_tar, k_oci_layer_gzip, k_oci_layer_zstd,
                                         k_docker_layer_tar, k_docker_layer_gzip};
  for (std::string_view t : k_plain) {
    if (media_type == t) {
      return true;
    }
  }
  return is_foreign_layer(media_type);
}

Compression layer_compression(std::string_view media_type) noexcept {
  if (media_type.ends_with("+gzip") || media_type.ends_with(".tar.gzip")) {
    return Compression::gzip;
  }
  if (media_type.ends_with("+zstd")) {
    return Compression::zstd;
  }
  return Compression::none;
}

Compression sniff_compression(std::string_view b) noexcept {
  if (b.size() >= 2 && static_cast<unsigned char>(b[0]) == 0x1f &&
      static_cast<unsigned char>(b[1]) == 0x8b) {
    return Compression::gzip;
  }
  if (b.size() >= 4 && b.substr(0, 4) == std::string_view("\x28\xb5\x2f\xfd", 4)) {
    return Compression::zstd;
  }
  return Compression::none;
}

std::string_view oci_layer_media_type(Compression c) noexcept {
  switch (c) {
  case Compression::gzip: return k_oci_layer_gzip;
  case Compression::zstd: return k_oci_layer_zstd;
  case Compression::none: break;
  }
  return k_oci_layer_tar;
}

} // namespace core
