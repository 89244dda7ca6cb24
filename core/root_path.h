#pragma once

#include "core/error.h"
#include "core/unique_fd.h"

#include <string>
#include <string_view>

namespace core {

/// Thrown when resolving a path inside a root would leave it.
class PathEscapeError : public InputError {
public:
  using InputError::InputError;
};

enum class CreateMissing { no, yes };

/// Opens directory `path` (a normalised relative layer path, "." for the
/// root) inside the directory `root_fd`, resolving symlinks the way the
/// container will see them: an absolute target restarts at the root, like
/// crun's safe_openat and umoci's SecureJoin. A ".." (in the path or in a
/// symlink target) that would climb above the root throws PathEscapeError
/// naming the symlink; more than 40 symlinks throw too. With
/// CreateMissing::yes, missing directories are created (mode 0755).
/// Returns an O_RDONLY|O_DIRECTORY descriptor; throws Error for I/O
/// problems and when a component is not a directory.
UniqueFd open_dir_in_root(int root_fd, std::string_view path, CreateMissing create);

} // namespace core
