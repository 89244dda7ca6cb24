#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace builder::sandbox {

/// A set of Linux capabilities as a bit mask (bit n = capability number n),
/// the same encoding /proc/<pid>/status prints as CapEff/CapBnd.
struct CapSet {
  std::uint64_t bits = 0;

  bool has(int cap) const { return (bits >> cap) & 1U; }
  void add(int cap) { bits |= std::uint64_t{1} << cap; }
  void remove(int cap) { bits &= ~(std::uint64_t{1} << cap); }
  bool operator==(const CapSet&) const = default;
};

/// Docker's default set of 14: CHOWN DAC_OVERRIDE FSETID FOWNER MKNOD NET_RAW
/// SETGID SETUID SETFCAP SETPCAP NET_BIND_SERVICE SYS_CHROOT KILL AUDIT_WRITE
/// (0x00000000a80425fb).
CapSet default_capabilities();

/// Every capability this kernel knows (0..cap_last_cap) that the calling
/// process still has in its bounding set: what `--privileged` can give.
CapSet all_capabilities();

/// The highest capability number the kernel knows (/proc/sys/kernel/cap_last_cap).
int last_capability();

/// Capability number for "CHOWN", "cap_chown" or "CAP_CHOWN"; nullopt if unknown.
std::optional<int> capability_from_name(std::string_view name);

/// "CAP_CHOWN" for 0; "CAP_<n>" for numbers without a name.
std::string capability_name(int cap);

/// Names of the set members in number order ("CAP_CHOWN", ...).
std::vector<std::string> capability_names(CapSet set);

/// Docker's rules: start from the default set (or all with `privileged`),
/// then drop (`ALL` empties the set), then add (`ALL` adds every one).
/// Throws core::InputError on an unknown name, naming it.
CapSet resolve_capabilities(const std::vector<std::string>& cap_add,
                            const std::vector<std::string>& cap_drop, bool privileged);

} // namespace builder::sandbox
