#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace secrets {

/// Expands a secret template into text. Templates keep secret-shaped strings
/// out of the repository (so no scanner trips on our own sources) while tests
/// still get well-formed, high-entropy fake values. `{C:N}` becomes N
/// pseudo-random characters of class C:
///   a [A-Za-z0-9]  l [a-z0-9]  u [A-Z0-9]  h [0-9a-f]  H [0-9A-F]  d [0-9]
///   b [A-Za-z0-9+/]  w [A-Za-z0-9_-]  U [A-Z2-7]  A [A-Z]  x [a-z]
///   B the upper-case bech32 alphabet
/// `\n` stays a newline; every other character is copied. The output is a
/// pure function of (template, seed), so fingerprints in tests are stable.
std::string expand_example(std::string_view text, std::uint64_t seed = 1);

} // namespace secrets
