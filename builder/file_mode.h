#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace builder {

/// `COPY --chmod`: an octal mode ("0755") or BuildKit's symbolic form
/// ("u=rwx,go=rx", "+x", "a-w,u+X"), applied to each copied path.
struct ChmodSpec {
  /// One symbolic clause: who, operator, what.
  struct Clause {
    std::uint32_t who = 0;       ///< bits of u/g/o (07777 mask of the classes named; all when none)
    char op = '=';               ///< '+', '-' or '='
    std::uint32_t perms = 0;     ///< r/w/x/s/t as bits for every class, masked by `who`
    bool exec_if_any = false;    ///< `X`: x only for directories or already-executable files
    std::optional<char> copy_of; ///< `g=u` style: the permissions of class u, g or o
  };
  std::optional<std::uint32_t> octal; ///< set for the octal form
  std::vector<Clause> clauses;        ///< the symbolic form, in order

  /// The mode (permission bits, 07777) a path of mode `mode` gets.
  std::uint32_t apply(std::uint32_t mode, bool is_dir) const;
};

/// Parses `text`; nullopt (and `error` set) when it is neither form.
std::optional<ChmodSpec> parse_chmod(std::string_view text, std::string& error);

} // namespace builder
