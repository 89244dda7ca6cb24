#pragma once

#include "core/content_store.h"
#include "core/oci_types.h"
#include "registry/auth.h"
#include "registry/http_client.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace registry {

/// How to reach registries: which may use plain HTTP, where credentials
/// come from, how often to retry.
struct ClientOptions {
  /// Hosts ("myreg:5000") reached over plain HTTP besides localhost/127.0.0.1.
  std::vector<std::string> insecure_registries{};
  /// Used instead of the Docker config when set (cbuild login checks these).
  std::optional<Credentials> credentials{};
  /// Docker's config.json; empty means DockerConfig::default_path().
  std::filesystem::path docker_config{};
  RetryPolicy retry{};
  /// Bytes per PATCH for chunked blob uploads; 0 uploads each blob in one PUT.
  std::uint64_t chunk_size = 0;
};

/// Where a registry's API lives.
struct Endpoint {
  std::string host;     ///< as in references: "docker.io", "localhost:5000"
  std::string base_url; ///< "https://registry-1.docker.io", "http://localhost:5000"
};

/// Maps a reference domain to its API URL: docker.io to registry-1.docker.io,
/// https everywhere except localhost, 127.0.0.1, ::1 and `insecure` hosts.
Endpoint endpoint_for(std::string_view host, const std::vector<std::string>& insecure);

/// What a repository is opened for; decides the token scope asked for.
enum class Access { pull, push };

/// A manifest or index as the registry sent it.
struct FetchedManifest {
  std::string bytes;      ///< exactly as received (the digest covers these)
  std::string media_type; ///< Content-Type without parameters, or sniffed
  core::Digest digest;    ///< sha256 of `bytes`, checked against the request
};

/// Called with the bytes moved so far for one blob (for progress bars).
using ProgressFn = std::function<void(std::uint64_t done)>;

/// The distribution API for one repository of one registry. Thread-safe:
/// each call borrows a libcurl handle from a small pool, and auth state
/// (basic credentials or bearer tokens for this repository's scope) is shared.
/// Every failure throws core::Error saying what was done, on which host, and
/// what to try ("…: 401 Unauthorized (realm \"…\"): run 'cbuild login …'").
class RegistryClient {
public:
  RegistryClient(std::string host, std::string repository, Access access,
                 ClientOptions options = {});
  ~RegistryClient();

  const Endpoint& endpoint() const noexcept { return m_endpoint; }
  const std::string& repository() const noexcept { return m_repository; }

  /// GET /v2/ (authenticating when challenged): checks that the registry
  /// answers and accepts the credentials.
  void ping();

  /// GET a manifest or index by tag or digest, accepting OCI and Docker v2
  /// types. When `reference` is a digest the body must hash to it.
  FetchedManifest get_manifest(std::string_view reference);

  /// HEAD a blob: true when the registry has it.
  bool has_blob(const core::Digest& digest);

  /// Streams a blob into `store`, checking digest and size; an interrupted
  /// transfer resumes with a Range request. Nothing is stored on mismatch.
  void fetch_blob(const core::Descriptor& blob, const core::ContentStore& store,
                  const ProgressFn& progress = {});

  /// Asks the registry to link `digest` from repository `from` (same host).
  /// True when mounted; false when the registry declined (nothing to undo).
  bool mount_blob(const core::Digest& digest, std::string_view from);

  /// Uploads a blob whose bytes `open` yields (called again for a retry):
  /// monolithic POST+PUT, or PATCH chunks of options.chunk_size then PUT.
  void upload_blob(const core::Descriptor& blob,
                   const std::function<std::unique_ptr<core::InputStream>()>& open,
                   const ProgressFn& progress = {});

  /// PUT a manifest under a tag or digest; returns the digest the registry
  /// reports, which must equal sha256(bytes).
  core::Digest put_manifest(std::string_view reference, std::string_view media_type,
                            std::string_view bytes);

  /// Adds another repository's pull scope to token requests (cross-repo mount).
  void add_scope(std::string scope);

private:
  class Lease;
  struct AuthState;

  HttpResponse send(HttpRequest request, bool retry = true);
  HttpResponse send_with(HttpClient& http, HttpRequest& request, bool retry);
  void authenticate(HttpClient& http, const HttpResponse& challenge_response);
  std::unique_ptr<HttpClient> borrow();
  void give_back(std::unique_ptr<HttpClient> http);
  std::string url(std::string_view path) const;
  [[noreturn]] void fail(std::string_view what, const HttpResponse& response) const;
  void upload_chunked(std::string location, const core::Descriptor& blob,
                      const std::function<std::unique_ptr<core::InputStream>()>& open,
                      const ProgressFn& progress);

  Endpoint m_endpoint;
  std::string m_repository;
  Access m_access;
  ClientOptions m_options;
  std::mutex m_mutex;
  std::vector<std::unique_ptr<HttpClient>> m_pool;
  std::unique_ptr<AuthState> m_auth;
};

/// The text of a registry error body ({"errors":[{"code","message"}]}):
/// "MANIFEST_UNKNOWN: manifest unknown"; "" when the body has none.
std::string registry_error_text(std::string_view body);

/// The first error code in a registry error body ("NAME_UNKNOWN"), or "".
std::string registry_error_code(std::string_view body);

} // namespace registry
