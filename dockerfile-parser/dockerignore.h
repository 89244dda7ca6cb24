#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dockerfile {

/// One compiled .dockerignore line.
struct IgnorePattern {
  /// A piece of the compiled glob.
  struct Token {
    enum class Kind {
      literal,    ///< one exact byte
      any_char,   ///< `?`: one character other than '/'
      any_run,    ///< `*`: any run without '/'
      any_dirs,   ///< `**/` or `**` inside: any run of whole directories, or nothing
      any_rest,   ///< `**` at the end: anything
      char_class, ///< `[...]`
    } kind = Kind::literal;
    char byte = 0;
    bool negated = false;                      ///< `[^...]`
    std::vector<std::pair<char, char>> ranges; ///< for char_class
  };

  std::string text;       ///< the cleaned pattern, without '!'
  bool exclusion = false; ///< written with a leading '!' (re-includes)
  std::vector<Token> tokens;
  /// Set for `**suffix` with no other wildcard: Docker then matches any path
  /// ending in the suffix ("**foo" matches "barfoo"), not only whole names.
  std::optional<std::string> suffix;
};

/// Docker's .dockerignore: which context paths are left out of the build.
/// Lines starting with '#' are comments; patterns are cleaned (`./a/`, `/a`
/// and `a` are the same); `*`, `?`, `[...]`, `**` match like Go's
/// filepath.Match plus `**`; `!pattern` re-includes; the last matching line
/// wins; a path is excluded when it or any of its parent directories match.
class DockerIgnore {
public:
  /// Reads the text of a .dockerignore file. Sets `error` (and returns the
  /// patterns read so far) for an invalid line such as a bare `!`.
  static DockerIgnore parse(std::string_view text, std::string& error);

  /// True when `path` (relative to the context, '/'-separated) is excluded.
  bool is_excluded(std::string_view path) const;

  /// The cleaned patterns in order, exclusions with their '!'.
  std::vector<std::string> patterns() const;

  bool empty() const { return m_patterns.empty(); }

private:
  std::vector<IgnorePattern> m_patterns;
};

/// The ignore file Docker uses for a build: `<dockerfile>.dockerignore` next
/// to the Dockerfile when it exists (it takes precedence), else
/// `<context>/.dockerignore`, else nullopt.
std::optional<std::filesystem::path> find_dockerignore(const std::filesystem::path& context_dir,
                                                       const std::filesystem::path& dockerfile);

/// Go's filepath.Clean for '/'-separated paths: "." for empty, no "//", no
/// "." elements, ".." resolved lexically, no trailing '/'.
std::string clean_path(std::string_view path);

} // namespace dockerfile
