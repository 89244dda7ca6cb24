#pragma once

#include "builder/sandbox/capabilities.h"

#include <linux/filter.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace builder::sandbox {

/// One argument comparison of a seccomp rule, as in Docker's JSON
/// (`{"index": 0, "value": 40, "valueTwo": 0, "op": "SCMP_CMP_NE"}`).
struct SeccompArg {
  unsigned index = 0;          ///< which syscall argument (0..5)
  std::uint64_t value = 0;     ///< compared value (the mask for SCMP_CMP_MASKED_EQ)
  std::uint64_t value_two = 0; ///< second operand of SCMP_CMP_MASKED_EQ
  std::string op;              ///< "SCMP_CMP_EQ", "SCMP_CMP_NE", ...
};

/// One entry of a profile's "syscalls" array.
struct SeccompRule {
  std::vector<std::string> names;          ///< syscall names; unknown ones are skipped
  std::string action;                      ///< "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", ...
  std::optional<int> errno_ret;            ///< for SCMP_ACT_ERRNO; the profile default if absent
  std::vector<SeccompArg> args;            ///< all must match (AND)
  std::vector<std::string> include_caps;   ///< rule applies only if every cap is granted
  std::vector<std::string> exclude_caps;   ///< rule is skipped if any cap is granted
  std::vector<std::string> include_arches; ///< Go arch names ("amd64"); empty = any
  std::vector<std::string> exclude_arches;
  std::string min_kernel; ///< "4.8": rule applies on that kernel or newer
};

/// A seccomp profile in Docker's JSON format (the subset libseccomp can express).
struct SeccompProfile {
  std::string default_action = "SCMP_ACT_ERRNO";
  int default_errno_ret = 1; ///< EPERM, as Docker
  std::vector<SeccompRule> rules;
};

/// Docker's default profile (moby profiles/seccomp/default.json semantics):
/// deny with EPERM by default, allow the ordinary syscalls, and allow mount,
/// unshare, ptrace... only when the matching capability is granted. keyctl,
/// add_key and friends stay denied.
SeccompProfile default_seccomp_profile();

/// Parses Docker's JSON format. Throws core::InputError naming `origin`.
SeccompProfile parse_seccomp_profile(const std::string& json_text, const std::string& origin);

/// Reads and parses a profile file (`--security-opt seccomp=FILE`).
SeccompProfile load_seccomp_profile(const std::filesystem::path& file);

/// How libseccomp lays out the program. Both decide every syscall the same way.
enum class SeccompLayout {
  binary_tree, ///< binary search over syscall numbers: fast to load and to run
  linear,      ///< libseccomp's default chain of comparisons (kept for comparison)
};

/// Compiles a profile for the native architecture, keeping the rules whose
/// capability conditions hold for `caps`, into a classic BPF program
/// (libseccomp's seccomp_export_bpf) that a child can load without allocating.
std::vector<sock_filter> compile_seccomp(const SeccompProfile& profile, CapSet caps,
                                         SeccompLayout layout = SeccompLayout::binary_tree);

/// compile_seccomp() behind a cache: in memory, and on disk in
/// /var/cache/cbuild/seccomp (root) or ~/.cache/cbuild/seccomp, mode 0700. The
/// key is the text of everything the program depends on (profile, caps,
/// architecture, libseccomp and kernel versions, layout); a file is named by
/// a 64-bit FNV-1a hash of it and holds the key itself, compared in full when
/// read, so a hash collision only costs a compile. A file not owned by us, or
/// writable by others, is ignored. (No SHA-256 here: initialising OpenSSL
/// would cost a `cbuild run` about 1 ms.)
std::vector<sock_filter> compile_seccomp_cached(const SeccompProfile& profile, CapSet caps);

} // namespace builder::sandbox
