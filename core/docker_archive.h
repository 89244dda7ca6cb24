#pragma once

#include "core/archive_index.h"
#include "core/image_export.h"
#include "core/image_source.h"

#include <filesystem>
#include <memory>
#include <vector>

namespace core {

/// Reads a docker-archive (`docker save`): manifest.json [{Config, RepoTags,
/// Layers}] with the config and layer tars as members. Handles the classic
/// form (`<id>/layer.tar`), podman's (`<id>/layer.tar` a symlink member to
/// `<diffid>.tar`) and Docker 25+ (members under blobs/sha256/). Such archives
/// have no manifest, so one is synthesised (Image::synthesised): a Docker v2
/// manifest whose layer digests are the blob digests — the diff_id for an
/// uncompressed layer, the member name's digest under blobs/sha256/, else the
/// member's hash. Every digest is verified when read.
std::unique_ptr<ImageSource> open_docker_archive(ArchiveIndex archive);

/// Writes images as a docker-archive in the classic uncompressed form:
/// `<config hex>.json`, `<diff_id hex>.tar` per layer, manifest.json and
/// repositories, sorted, deterministic. Compressed layers (gzip, zstd) are
/// decompressed with core/compression.h (through a temp file next to `file`) and checked against
/// the config's diff_ids. On error no file is left at `file`.
void write_docker_archive(const std::filesystem::path& file, const std::vector<ExportImage>& images,
                          const BlobOpener& blobs);

} // namespace core
