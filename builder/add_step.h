#pragma once

#include "builder/copy_step.h"
#include "builder/remote_file.h"
#include "dockerfile-parser/instructions.h"

#include <nlohmann/json.hpp>

/// What ADD adds to COPY: its flags, its URL sources and their cache key.
namespace builder {

/// Sets the ADD-only fields of `plan` (--unpack, --checksum) from `add`.
/// Throws InputError for --checksum with a source that is not exactly one
/// http(s) URL, or a checksum that is not sha256:<hex>.
void prepare_add(const dockerfile::AddInstruction& add, CopyPlan& plan);

/// The cache-key ingredient of the URL sources of `plan` (null when there
/// are none), as BuildKit keys them: with --checksum the checksum itself
/// (nothing is downloaded until the step runs); otherwise each file is
/// downloaded now and keyed by its content digest and Last-Modified time.
nlohmann::json remote_ingredients(const CopyPlan& plan, RemoteFiles& remote);

/// Downloads (or reuses this build's download of) each URL source of
/// `plan` into plan.remote_files, checking --checksum.
void fetch_remote_files(CopyPlan& plan, RemoteFiles& remote);

} // namespace builder
