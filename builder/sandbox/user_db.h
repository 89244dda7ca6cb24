#pragma once

#include "builder/sandbox/sandbox_spec.h"

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace builder::sandbox {

/// Who the command runs as, resolved from the rootfs's /etc/passwd and /etc/group.
struct ResolvedUser {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups; ///< supplementary groups (memberships in /etc/group)
  std::string home = "/";    ///< for $HOME when the image sets none
};

/// Reads `relative` (e.g. "etc/passwd") from the rootfs as the sandbox will
/// see it: the upper dir first, then the lower dirs top to bottom, or the
/// plain directory. Symlinks are resolved inside each layer's root
/// (openat2 RESOLVE_IN_ROOT), so they cannot lead outside it. nullopt if absent.
std::optional<std::string> read_rootfs_file(const Rootfs& rootfs, std::string_view relative);

/// Resolves Docker's `--user` forms: "", "name", "uid", "name:group",
/// "uid:gid", with runc's rules: a numeric user is a uid (its passwd entry,
/// if any, gives gid, home and group memberships); a uid absent from
/// /etc/passwd is accepted (gid 0); supplementary groups (memberships in
/// /etc/group) only when no group is given; an unknown name is an InputError.
ResolvedUser resolve_user(std::string_view user, std::string_view passwd_text,
                          std::string_view group_text);

} // namespace builder::sandbox
