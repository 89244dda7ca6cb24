#pragma once

#include "core/archive_index.h"
#include "core/image_export.h"
#include "core/image_source.h"

#include <filesystem>
#include <memory>
#include <vector>

namespace core {

/// Reads an OCI archive (an OCI image layout as a plain tar), members read
/// in place with pread. Also reads Docker 25+ `docker save` output this way.
std::unique_ptr<ImageSource> open_oci_archive(ArchiveIndex archive);

/// Writes images as an OCI archive: blobs/, blobs/sha256/, the blobs in digest
/// order, index.json, oci-layout. Deterministic (see ArchiveWriter). On any
/// error (a blob failing its digest, I/O) no file is left at `file`.
void write_oci_archive(const std::filesystem::path& file, const std::vector<ExportImage>& images,
                       const BlobOpener& blobs);

} // namespace core
