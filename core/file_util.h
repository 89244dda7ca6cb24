#pragma once

#include <filesystem>
#include <string_view>

namespace core {

/// Writes `data` to `path` through a temp file in the same directory, fsyncs
/// it, renames it into place and fsyncs the directory. Readers see the old
/// file or the new one, never a partial one.
void write_file_atomic(const std::filesystem::path& path, std::string_view data);

/// fsyncs a directory so a rename in it is durable.
void fsync_directory(const std::filesystem::path& dir);

} // namespace core
