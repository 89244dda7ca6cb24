// The seccomp program cbuild loads: compiled as a binary tree (fast for the
// kernel to load), it must decide every syscall exactly as libseccomp's plain
// linear program does. Checked by running both programs through a classic-BPF
// interpreter for every syscall number, architecture and interesting argument.
#include "builder/sandbox/seccomp.h"

#include <catch2/catch.hpp>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>

#include <cstddef>
#include <cstring>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

using namespace builder::sandbox;

namespace {

// Runs a seccomp classic-BPF program the way the kernel does (the subset of
// opcodes the kernel accepts for seccomp). Throws on anything else, so that
// an unexpected program cannot pass unnoticed. `read_args` tells whether the
// path taken looked at the syscall's arguments.
std::uint32_t run_bpf(const std::vector<sock_filter>& program, const seccomp_data& data,
                      bool* read_args = nullptr) {
  std::uint32_t a = 0;
  std::uint32_t x = 0;
  std::uint32_t mem[BPF_MEMWORDS] = {};
  unsigned char bytes[sizeof data];
  std::memcpy(bytes, &data, sizeof data);
  for (std::size_t pc = 0; pc < program.size(); ++pc) {
    const sock_filter& f = program[pc];
    std::uint32_t src = BPF_SRC(f.code) == BPF_X ? x : f.k;
    switch (f.code) {
    case BPF_LD | BPF_W | BPF_ABS:
      if (f.k % 4 != 0 || f.k + 4 > sizeof data) {
        throw std::runtime_error("load outside seccomp_data");
      }
      std::memcpy(&a, bytes + f.k, 4);
      if (read_args != nullptr && f.k >= offsetof(seccomp_data, args)) {
        *read_args = true;
      }
      continue;
    case BPF_LD | BPF_W | BPF_LEN: a = sizeof data; continue;
    case BPF_LDX | BPF_W | BPF_LEN: x = sizeof data; continue;
    case BPF_LD | BPF_IMM: a = f.k; continue;
    case BPF_LDX | BPF_IMM: x = f.k; continue;
    case BPF_LD | BPF_MEM: a = mem[f.k % BPF_MEMWORDS]; continue;
    case BPF_LDX | BPF_MEM: x = mem[f.k % BPF_MEMWORDS]; continue;
    case BPF_ST: mem[f.k % BPF_MEMWORDS] = a; continue;
    case BPF_STX: mem[f.k % BPF_MEMWORDS] = x; continue;
    case BPF_MISC | BPF_TAX: x = a; continue;
    case BPF_MISC | BPF_TXA: a = x; continue;
    case BPF_ALU | BPF_AND | BPF_K:
    case BPF_ALU | BPF_AND | BPF_X: a &= src; continue;
    case BPF_ALU | BPF_OR | BPF_K:
    case BPF_ALU | BPF_OR | BPF_X: a |= src; continue;
    case BPF_ALU | BPF_ADD | BPF_K:
    case BPF_ALU | BPF_ADD | BPF_X: a += src; continue;
    case BPF_ALU | BPF_SUB | BPF_K:
    case BPF_ALU | BPF_SUB | BPF_X: a -= src; continue;
    case BPF_ALU | BPF_NEG: a = 0 - a; continue;
    case BPF_ALU | BPF_RSH | BPF_K: a >>= (src & 31); continue;
    case BPF_ALU | BPF_LSH | BPF_K: a <<= (src & 31); continue;
    case BPF_JMP | BPF_JA: pc += f.k; continue;
    case BPF_JMP | BPF_JEQ | BPF_K:
    case BPF_JMP | BPF_JEQ | BPF_X: pc += a == src ? f.jt : f.jf; continue;
    case BPF_JMP | BPF_JGT | BPF_K:
    case BPF_JMP | BPF_JGT | BPF_X: pc += a > src ? f.jt : f.jf; continue;
    case BPF_JMP | BPF_JGE | BPF_K:
    case BPF_JMP | BPF_JGE | BPF_X: pc += a >= src ? f.jt : f.jf; continue;
    case BPF_JMP | BPF_JSET | BPF_K:
    case BPF_JMP | BPF_JSET | BPF_X: pc += (a & src) != 0 ? f.jt : f.jf; continue;
    case BPF_RET | BPF_K: return f.k;
    case BPF_RET | BPF_A: return a;
    default: throw std::runtime_error("unexpected BPF opcode " + std::to_string(f.code));
    }
  }
  throw std::runtime_error("program ran off its end");
}

// Argument values the profile compares against, and their neighbours.
std::vector<std::uint64_t> interesting_values(const SeccompProfile& profile) {
  std::set<std::uint64_t> values = {0, 1, 0xffffffffULL, 0xffffffffffffffffULL, 0x100000000ULL};
  for (const auto& rule : profile.rules) {
    for (const auto& arg : rule.args) {
      for (std::uint64_t v : {arg.value, arg.value_two, arg.value | arg.value_two}) {
        values.insert({v, v + 1, v - 1, v | 0x100000000ULL, v & 0xffffffffULL});
      }
    }
  }
  return {values.begin(), values.end()};
}

struct Decision {
  std::uint32_t arch;
  int nr;
  std::uint64_t value;
  int arg; ///< -1: every argument holds `value`
};

bool same_program(const std::vector<sock_filter>& a, const std::vector<sock_filter>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof a[0]) == 0;
}

// Whether both programs decide (arch, nr) alike; arguments are varied only
// when one of them looked at them.
std::optional<Decision> compare_syscall(const std::vector<sock_filter>& left,
                                        const std::vector<sock_filter>& right,
                                        const std::vector<std::uint64_t>& values,
                                        std::uint32_t arch, int nr) {
  seccomp_data data{};
  data.nr = nr;
  data.arch = arch;
  bool read_args = false;
  if (run_bpf(left, data, &read_args) != run_bpf(right, data, &read_args)) {
    return Decision{arch, nr, 0, -1};
  }
  if (!read_args) {
    return std::nullopt; // the same path whatever the arguments
  }
  for (std::uint64_t v : values) {
    for (int arg = -1; arg < 6; ++arg) {
      for (int i = 0; i < 6; ++i) {
        data.args[i] = (arg < 0 || arg == i) ? v : 0;
      }
      if (run_bpf(left, data) != run_bpf(right, data)) {
        return Decision{arch, nr, v, arg};
      }
    }
  }
  return std::nullopt;
}

// The first syscall/arch/argument where the two programs disagree, or none.
std::optional<Decision> first_difference(const std::vector<sock_filter>& left,
                                         const std::vector<sock_filter>& right,
                                         const std::vector<std::uint64_t>& values) {
  const std::uint32_t arches[] = {AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64};
  for (std::uint32_t arch : arches) {
    for (int base : {0, 0x40000000}) { // x32 syscalls are x86_64 ones with bit 30
      for (int nr = base; nr < base + 1100; ++nr) {
        if (auto difference = compare_syscall(left, right, values, arch, nr)) {
          return difference;
        }
      }
    }
  }
  return std::nullopt;
}

std::uint32_t decide(const std::vector<sock_filter>& program, std::uint32_t arch, int nr,
                     std::uint64_t arg0 = 0) {
  seccomp_data data{};
  data.nr = nr;
  data.arch = arch;
  data.args[0] = arg0;
  return run_bpf(program, data);
}

} // namespace

TEST_CASE("seccomp binary-tree program decides every syscall like the linear one", "[sandbox]") {
  auto profile = default_seccomp_profile();
  auto values = interesting_values(profile);
  for (CapSet caps : {default_capabilities(), all_capabilities(), CapSet{}}) {
    auto tree = compile_seccomp(profile, caps, SeccompLayout::binary_tree);
    auto linear = compile_seccomp(profile, caps, SeccompLayout::linear);
    INFO("caps " << caps.bits << ": tree " << tree.size() << ", linear " << linear.size()
                 << " instructions");
    CHECK_FALSE(same_program(tree, linear)); // really two layouts
    auto difference = first_difference(tree, linear, values);
    if (difference) {
      FAIL("arch " << difference->arch << " nr " << difference->nr << " value " << difference->value
                   << " arg " << difference->arg);
    }
  }
}

TEST_CASE("seccomp program allows, denies and kills what Docker's profile says", "[sandbox]") {
  auto profile = default_seccomp_profile();
  auto program = compile_seccomp(profile, default_capabilities());
  const std::uint32_t errno_eperm = SECCOMP_RET_ERRNO | 1;
  CHECK(decide(program, AUDIT_ARCH_X86_64, SYS_read) == SECCOMP_RET_ALLOW);
  CHECK(decide(program, AUDIT_ARCH_X86_64, SYS_execve) == SECCOMP_RET_ALLOW);
  CHECK(decide(program, AUDIT_ARCH_X86_64, SYS_keyctl) == errno_eperm);
  CHECK(decide(program, AUDIT_ARCH_X86_64, SYS_mount) == errno_eperm);
  CHECK(decide(program, AUDIT_ARCH_X86_64, SYS_unshare) == errno_eperm);
  CHECK(decide(program, AUDIT_ARCH_X86_64, SYS_clone3) == (SECCOMP_RET_ERRNO | ENOSYS));
  // personality: only the listed values are allowed.
  CHECK(decide(program, AUDIT_ARCH_X86_64, SYS_personality, 0) == SECCOMP_RET_ALLOW);
  CHECK(decide(program, AUDIT_ARCH_X86_64, SYS_personality, 0x1234) == errno_eperm);
  // i386 entry points get the same rules (read is 3, keyctl 288 there).
  CHECK(decide(program, AUDIT_ARCH_I386, 3) == SECCOMP_RET_ALLOW);
  CHECK(decide(program, AUDIT_ARCH_I386, 288) == errno_eperm);
  // An architecture the filter does not know is killed.
  CHECK(decide(program, AUDIT_ARCH_AARCH64, 63) == SECCOMP_RET_KILL_THREAD);

  SECTION("with CAP_SYS_ADMIN, mount is allowed") {
    CapSet admin = default_capabilities();
    admin.add(21);
    CHECK(decide(compile_seccomp(profile, admin), AUDIT_ARCH_X86_64, SYS_mount) ==
          SECCOMP_RET_ALLOW);
  }
}

TEST_CASE("seccomp cache returns the program compile_seccomp exports", "[sandbox]") {
  auto profile = default_seccomp_profile();
  auto compiled = compile_seccomp(profile, default_capabilities());
  CHECK(same_program(compile_seccomp_cached(profile, default_capabilities()), compiled));
  // The second time from memory.
  CHECK(same_program(compile_seccomp_cached(profile, default_capabilities()), compiled));
}
