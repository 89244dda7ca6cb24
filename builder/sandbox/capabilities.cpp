#include "builder/sandbox/capabilities.h"

#include "core/error.h"

#include <linux/capability.h>
#include <sys/prctl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>

namespace builder::sandbox {
namespace {

// Index = capability number, as in <linux/capability.h>.
constexpr std::array<std::string_view, 41> k_names = {"CHOWN",
                                                      "DAC_OVERRIDE",
                                                      "DAC_READ_SEARCH",
                                                      "FOWNER",
                                                      "FSETID",
                                                      "KILL",
                                                      "SETGID",
                                                      "SETUID",
                                                      "SETPCAP",
                                                      "LINUX_IMMUTABLE",
                                                      "NET_BIND_SERVICE",
                                                      "NET_BROADCAST",
                                                      "NET_ADMIN",
                                                      "NET_RAW",
                                                      "IPC_LOCK",
                                                      "IPC_OWNER",
                                                      "SYS_MODULE",
                                                      "SYS_RAWIO",
                                                      "SYS_CHROOT",
                                                      "SYS_PTRACE",
                                                      "SYS_PACCT",
                                                      "SYS_ADMIN",
                                                      "SYS_BOOT",
                                                      "SYS_NICE",
                                                      "SYS_RESOURCE",
                                                      "SYS_TIME",
                                                      "SYS_TTY_CONFIG",
                                                      "MKNOD",
                                                      "LEASE",
                                                      "AUDIT_WRITE",
                                                      "AUDIT_CONTROL",
                                                      "SETFCAP",
                                                      "MAC_OVERRIDE",
                                                      "MAC_ADMIN",
                                                      "SYSLOG",
                                                      "WAKE_ALARM",
                                                      "BLOCK_SUSPEND",
                                                      "AUDIT_READ",
                                                      "PERFMON",
                                                      "BPF",
                                                      "CHECKPOINT_RESTORE"};

std::string upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

bool is_all(std::string_view name) {
  return upper(name) == "ALL";
}

int require_capability(std::string_view name) {
  auto cap = capability_from_name(name);
  if (!cap) {
    throw core::InputError("unknown capability '" + std::string(name) + "'");
  }
  return *cap;
}

} // namespace

CapSet default_capabilities() {
  CapSet set;
  for (int cap : {CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_MKNOD, CAP_NET_RAW,
                  CAP_SETGID, CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP, CAP_NET_BIND_SERVICE,
                  CAP_SYS_CHROOT, CAP_KILL, CAP_AUDIT_WRITE}) {
    set.add(cap);
  }
  return set;
}

int last_capability() {
  std::ifstream in("/proc/sys/kernel/cap_last_cap");
  int last = CAP_LAST_CAP;
  if (!(in >> last) || last < 0 || last > 63) {
    last = CAP_LAST_CAP;
  }
  return last;
}

CapSet all_capabilities() {
  CapSet set;
  int last = last_capability();
  for (int cap = 0; cap <= last; ++cap) {
    // A capability missing from our own bounding set cannot be granted.
    if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1) {
      set.add(cap);
    }
  }
  return set;
}

std::optional<int> capability_from_name(std::string_view name) {
  std::string key = upper(name);
  if (key.rfind("CAP_", 0) == 0) {
    key.erase(0, 4);
  }
  for (std::size_t i = 0; i < k_names.size(); ++i) {
    if (k_names[i] == key) {
      return static_cast<int>(i);
    }
  }
  return std::nullopt;
}

std::string capability_name(int cap) {
  if (cap >= 0 && static_cast<std::size_t>(cap) < k_names.size()) {
    return "CAP_" + std::string(k_names[static_cast<std::size_t>(cap)]);
  }
  return "CAP_" + std::to_string(cap);
}

std::vector<std::string> capability_names(CapSet set) {
  std::vector<std::string> names;
  for (int cap = 0; cap < 64; ++cap) {
    if (set.has(cap)) {
      names.push_back(capability_name(cap));
    }
  }
  return names;
}

CapSet resolve_capabilities(const std::vector<std::string>& cap_add,
                            const std::vector<std::string>& cap_drop, bool privileged) {
  const CapSet all = all_capabilities();
  CapSet set = privileged ? all : default_capabilities();
  for (const auto& name : cap_drop) {
    if (is_all(name)) {
      set = CapSet{};
    } else {
      set.remove(require_capability(name));
    }
  }
  for (const auto& name : cap_add) {
    if (is_all(name)) {
      set = all;
    } else {
      set.add(require_capability(name));
    }
  }
  set.bits &= all.bits;
  return set;
}

} // namespace builder::sandbox
