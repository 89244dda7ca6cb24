#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dockerfile {

/// The builder flags one instruction accepts (BuildKit's BFlags): declare
/// them, then parse() the `--name=value` words of a Node.
class FlagSet {
public:
  enum class Type { boolean, string, strings };

  /// Why parse() failed; `flag` is the offending word, for locating it.
  struct Error {
    std::string message; ///< e.g. "unknown flag: --chwon"
    std::string hint;    ///< e.g. "did you mean --chown?"
    std::string flag;
  };

  void add(std::string name, Type type) { m_flags[std::move(name)] = Flag{type, {}, false}; }

  /// Reads `args`; stops at a bare `--`. Bool flags take `--x`, `--x=true|false`.
  std::optional<Error> parse(const std::vector<std::string>& args);

  bool is_used(const std::string& name) const;
  /// The value of a string flag, or "true"/"false" for a used bool flag.
  std::string value(const std::string& name) const;
  bool is_true(const std::string& name) const { return value(name) == "true"; }
  /// Every value of a repeatable flag, in order.
  std::vector<std::string> values(const std::string& name) const;

private:
  struct Flag {
    Type type;
    std::vector<std::string> values;
    bool used;
  };
  std::map<std::string, Flag, std::less<>> m_flags;
};

} // namespace dockerfile
