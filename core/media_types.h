#pragma once

#include "core/compression.h"

#include <string_view>

namespace core {

/// OCI image-spec media types (media-types.md).
inline constexpr std::string_view k_oci_index = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view k_oci_manifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view k_oci_config = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view k_oci_layout_header = "application/vnd.oci.layout.header.v1+json";
inline constexpr std::string_view k_oci_empty = "application/vnd.oci.empty.v1+json";
inline constexpr std::string_view k_oci_layer_tar = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view k_oci_layer_gzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view k_oci_layer_zstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr std::string_view k_oci_foreign_layer_tar =
    "application/vnd.oci.image.layer.nondistributable.v1.tar";
inline constexpr std::string_view k_oci_foreign_layer_gzip =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
inline constexpr std::string_view k_oci_foreign_layer_zstd =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";

/// Docker image manifest v2 schema 2 media types.
inline constexpr std::string_view k_docker_manifest_list =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view k_docker_manifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view k_docker_config =
    "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view k_docker_layer_tar =
    "application/vnd.docker.image.rootfs.diff.tar";
inline constexpr std::string_view k_docker_layer_gzip =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr std::string_view k_docker_foreign_layer_gzip =
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

/// Annotation keys.
inline constexpr std::string_view k_annotation_ref_name = "org.opencontainers.image.ref.name";
inline constexpr std::string_view k_annotation_containerd_name = "io.containerd.image.name";

// Compression (none, gzip, zstd) and its to_string() live in compression.h,
// owned by the layer code; this file only maps media types to it.

/// An image index (OCI index or Docker manifest list).
bool is_index(std::string_view media_type) noexcept;
/// An image manifest (OCI or Docker v2 schema 2).
bool is_manifest(std::string_view media_type) noexcept;
/// An image config (OCI or Docker).
bool is_config(std::string_view media_type) noexcept;
/// Any of the layer media types above, distributable or not.
bool is_layer(std::string_view media_type) noexcept;
/// A non-distributable ("foreign") layer.
bool is_foreign_layer(std::string_view media_type) noexcept;

/// The compression a layer media type declares (`none` for plain tar and for
/// types that are not layers). Blobs are still sniffed before decoding.
Compression layer_compression(std::string_view media_type) noexcept;

/// Sniffs the first bytes of a blob: gzip 1F 8B, zstd 28 B5 2F FD, else none.
Compression sniff_compression(std::string_view first_bytes) noexcept;

/// The OCI layer media type for a compression.
std::string_view oci_layer_media_type(Compression c) noexcept;

} // namespace core
