#pragma once

#include "builder/sandbox/sandbox_spec.h"

#include <sys/types.h>

#include <string>
#include <vector>

namespace builder::sandbox {

/// The maps a user namespace gets: spec.uid_map/gid_map, or by default the
/// caller as root (0 -> caller) plus, when /etc/subuid (/etc/subgid) grants
/// the caller a range and newuidmap (newgidmap) exists, 1.. -> that range.
std::vector<IdMap> effective_uid_map(const SandboxSpec& spec);
std::vector<IdMap> effective_gid_map(const SandboxSpec& spec);

/// True when the maps go through the setuid helpers newuidmap/newgidmap
/// (more than the caller's own id, and not root).
bool uses_helper_maps(const SandboxSpec& spec);

/// Writes /proc/<pid>/uid_map and gid_map, directly (root, or a single map
/// of the caller's own id after denying setgroups) or through newuidmap and
/// newgidmap. Throws core::Error.
void write_id_maps(pid_t pid, const SandboxSpec& spec);

/// "0 1000 1\n1 100000 65536\n", the format of /proc/<pid>/uid_map.
std::string format_id_maps(const std::vector<IdMap>& maps);

} // namespace builder::sandbox
