#pragma once

#include "core/stream.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace registry {

/// One HTTP request. The body, when there is one, comes from `open_body`,
/// called once per attempt so a retried upload starts again from its first
/// byte; `body_size` is its exact length (sent as Content-Length).
struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers{}; ///< "Name: value"
  std::function<std::unique_ptr<core::InputStream>()> open_body{};
  std::uint64_t body_size = 0;
  /// Where a 2xx response body goes; when null it is kept in HttpResponse::body
  /// (up to `body_limit` bytes). Error bodies (status >= 300) always go to
  /// HttpResponse::body, capped at 64 KiB.
  core::OutputStream* sink = nullptr;
  size_t body_limit = 8 << 20;
  bool follow_redirects = true; ///< GETs of blobs may be redirected to storage
  /// Called with the status just before the first body byte reaches `sink`
  /// (a resumed download learns whether the server honoured its Range).
  std::function<void(long status)> on_sink_start{};
};

/// Why a request failed before an HTTP status arrived.
enum class TransportFailure {
  none,
  unknown_host,       ///< DNS could not resolve the name
  connection_refused, ///< nothing listens there (or a firewall said no)
  tls,                ///< certificate or handshake failure
  dropped,            ///< the connection broke or timed out mid-transfer
  other,
};

/// What came back. `status` is 0 when `failure` is set.
struct HttpResponse {
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers{}; ///< lower-cased names
  std::string body{};
  TransportFailure failure = TransportFailure::none;
  std::string failure_message{}; ///< libcurl's explanation when `failure` is set
  std::uint64_t sink_bytes = 0;  ///< bytes delivered to HttpRequest::sink
  std::string effective_url{};   ///< after redirects

  /// The first header named `name` (lower case), or nullopt.
  std::optional<std::string> header(std::string_view name) const;
};

/// TLS and timeouts for every request of one client.
struct HttpOptions {
  bool verify_tls = true;                       ///< never turned off for https
  std::chrono::seconds connect_timeout{10};     ///< per connection attempt
  std::chrono::seconds stall_timeout{30};       ///< abort when < 1 byte/s for this long
  std::string user_agent = "cbuild-registry/1"; ///< sent with each request
};

/// A libcurl easy handle: one connection cache, used by one thread at a time.
/// perform() never throws for network or HTTP failures (they are reported in
/// the response); it throws core::Error only when the sink or body stream does.
class HttpClient {
public:
  explicit HttpClient(HttpOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResponse perform(const HttpRequest& request);

private:
  struct Handle;
  std::unique_ptr<Handle> m_handle;
  HttpOptions m_options;
};

/// When and how long to wait before trying a request again.
struct RetryPolicy {
  int attempts = 4;                          ///< total tries, the first included
  std::chrono::milliseconds base_delay{200}; ///< doubled after each failure
  std::chrono::milliseconds max_delay{5000}; ///< cap for backoff and Retry-After
};

/// True for failures worth another try: dropped or refused connections,
/// 408, 429 and 5xx. Unknown hosts, TLS errors and other 4xx are final.
bool is_retryable(const HttpResponse& response);

/// The wait before attempt `attempt + 1` (attempt counts from 0): the
/// Retry-After seconds of a 429/503 when given, else base_delay * 2^attempt;
/// both capped at max_delay.
std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int attempt,
                                      const HttpResponse& response);

/// perform() until it succeeds or a failure is final or attempts run out;
/// returns the last response. Only for requests whose sink (if any) may
/// receive the body again (callers streaming into a store retry themselves).
HttpResponse perform_with_retry(HttpClient& client, const HttpRequest& request,
                                const RetryPolicy& policy);

/// "connection refused", "cannot resolve host", "HTTP 503", … for messages.
std::string describe_failure(const HttpResponse& response);

/// The host ("127.0.0.1:5000") of an "http(s)://host/…" URL.
std::string url_host(std::string_view url);

/// Resolves a Location header against the URL of the request that returned it.
std::string resolve_location(std::string_view base_url, std::string_view location);

} // namespace registry
