#pragma once

#include "core/stream.h"
#include "core/unique_fd.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace core {

/// One member of an outer image tarball (docker-archive / oci-archive).
struct ArchiveMember {
  std::string name;         ///< normalised: no leading "./" or "/", no trailing "/"
  char type = '0';          ///< tar typeflag: '0' file, '1' hardlink, '2' symlink, '5' dir, …
  std::uint64_t offset = 0; ///< where the data starts in the archive file
  std::uint64_t size = 0;   ///< data size in bytes
  std::string link_target;  ///< for '1' and '2'

  bool is_regular() const noexcept { return type == '0' || type == '\0' || type == '7'; }
};

/// The member table of a plain (uncompressed) tar file, read once from its
/// headers (ustar, GNU long names, PAX path/linkpath/size, base-256 sizes).
/// Member data is then read with pread, so any number of streams, in any
/// threads, can read members at once without extracting anything. Copies
/// share the open file.
class ArchiveIndex {
public:
  /// Indexes the tar at `path`. Errors are InputError naming the file:
  /// "image.tar: not a tar archive", "…: compressed (gzip); expected a plain tar",
  /// "…: member 'x': truncated".
  static ArchiveIndex open(const std::filesystem::path& path);

  /// The archive's name as shown in messages (its file name).
  const std::string& name() const noexcept { return m_name; }
  const std::vector<ArchiveMember>& members() const noexcept { return m_members; }

  /// The member called `name` (normalised like member names), or nullptr.
  const ArchiveMember* find(std::string_view name) const;
  /// Like find(), but follows symlink and hardlink members inside the archive
  /// (podman's `<id>/layer.tar -> ../<diffid>.tar`) to a regular member.
  /// Returns nullptr when absent, dangling, escaping the archive or looping.
  const ArchiveMember* resolve(std::string_view name) const;

  /// A stream over a member's data (pread; its own offset).
  std::unique_ptr<InputStream> open_member(const ArchiveMember& member) const;
  /// A resolved member's whole content. InputError "<archive>: <name>: missing"
  /// when absent, or when larger than `limit`.
  std::string read_member(std::string_view name, size_t limit = 64 << 20) const;

  /// "<archive>: member '<name>'", the prefix of errors about a member.
  std::string describe(const ArchiveMember& member) const;

private:
  std::string m_name;
  std::shared_ptr<UniqueFd> m_fd;
  std::vector<ArchiveMember> m_members;
  std::map<std::string, size_t, std::less<>> m_by_name; ///< last one wins
};

/// normalize_layer_path() for member names, except that the root is "" (it
/// names no member); nullopt when ".." escapes the root.
std::optional<std::string> normalise_member_name(std::string_view name);

} // namespace core
