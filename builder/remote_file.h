#pragma once

#include "core/digest.h"
#include "core/temp_dir.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

/// ADD of http(s):// URLs: the download (libcurl) and what Docker derives
/// from it (the file name, the mtime from Last-Modified).
namespace builder {

/// A file ADD downloaded from a URL.
struct RemoteFile {
  std::string url;
  std::filesystem::path path;                ///< the downloaded bytes (owned by RemoteFiles)
  core::Digest digest = core::sha256_of(""); ///< sha256 of the content
  std::string name;                          ///< its name in the image (url_file_name)
  std::optional<std::int64_t> last_modified; ///< seconds, from the Last-Modified header
};

/// True for the sources ADD downloads: "http://…" and "https://…".
bool is_remote_source(std::string_view source);

/// The file name Docker gives a URL's download: the last segment of the
/// URL's path (query and fragment dropped), "__unnamed__" when the path has
/// none ("http://host/" or "http://host").
std::string url_file_name(std::string_view url);

/// Parses ADD --checksum: "sha256:<64 hex>". Throws InputError saying what
/// is accepted for anything else.
core::Digest parse_add_checksum(std::string_view text);

/// The downloads of one build, each URL fetched once, kept in a temporary
/// directory that is removed with this object.
class RemoteFiles {
public:
  explicit RemoteFiles(std::filesystem::path scratch_dir);

  /// Downloads `url` (following redirects; http and https only) unless it
  /// was downloaded already in this build. With `expected`, content with
  /// another digest throws InputError "ADD <url>: checksum mismatch: …"
  /// and nothing is kept. An HTTP error status throws InputError naming it;
  /// network failures throw core::Error with libcurl's reason.
  const RemoteFile& fetch(const std::string& url, const std::optional<core::Digest>& expected);

private:
  std::filesystem::path m_scratch;
  std::optional<core::TempDir> m_dir; ///< made on the first download
  std::map<std::string, RemoteFile> m_files;
};

} // namespace builder
