#include "registry/http_client.h"

#include "core/error.h"

#include "registry/curl_library.h"

#include <algorithm>
#include <cctype>
#include <exception>
#include <mutex>
#include <thread>

namespace registry {

namespace {

constexpr size_t k_error_body_limit = 64 << 10;

/// libcurl is opened on first use (see curl_library.h).
const CurlLibrary& lib() { return curl_library(); }

struct CurlSlist {
  curl_slist* list = nullptr;
  ~CurlSlist() { lib().slist_free_all(list); }
  void append(const std::string& line) {
    curl_slist* next = lib().slist_append(list, line.c_str());
    if (!next) {
      throw core::Error("curl_slist_append: out of memory");
    }
    list = next;
  }
};

/// State shared with the libcurl callbacks of one transfer. Exceptions cannot
/// cross libcurl's C frames, so callbacks park them here and abort.
struct Transfer {
  CURL* curl = nullptr;
  const HttpRequest* request = nullptr;
  HttpResponse* response = nullptr;
  std::unique_ptr<core::InputStream> body;
  std::exception_ptr error;
  bool sink_started = false;
};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    t->response->headers.clear(); // a new response (after a redirect or 100-continue)
    return line.size();
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    t->response->headers.emplace_back(lower(trim(line.substr(0, colon))),
                                      std::string(trim(line.substr(colon + 1))));
  }
  return line.size();
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  long status = 0;
  lib().easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
  try {
    if (status >= 200 && status < 300 && t->request->sink) {
      if (!t->sink_started) {
        t->sink_started = true;
        if (t->request->on_sink_start) {
          t->request->on_sink_start(status);
        }
      }
      t->request->sink->write(data, n);
      t->response->sink_bytes += n;
      return n;
    }
    size_t limit = status >= 300 ? k_error_body_limit : t->request->body_limit;
    if (t->response->body.size() + n > limit) {
      throw core::InputError("response from " + t->request->url + " is larger than " +
                             std::to_string(limit) + " bytes");
    }
    t->response->body.append(data, n);
    return n;
  } catch (...) {
    t->error = std::current_exception();
    return 0;
  }
}

size_t on_read(char* buffer, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  try {
    return t->body ? t->body->read(buffer, size * count) : 0;
  } catch (...) {
    t->error = std::current_exception();
    return CURL_READFUNC_ABORT;
  }
}

TransportFailure classify(CURLcode code) {
  switch (code) {
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY: return TransportFailure::unknown_host;
  case CURLE_COULDNT_CONNECT: return TransportFailure::connection_refused;
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CACERT_BADFILE: return TransportFailure::tls;
  case CURLE_RECV_ERROR:
  case CURLE_SEND_ERROR:
  case CURLE_UPLOAD_FAILED:
  case CURLE_SEND_FAIL_REWIND: // the connection died mid-upload; the retry reopens the body
  case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM:
  case CURLE_PARTIAL_FILE:
  case CURLE_GOT_NOTHING:
  case CURLE_OPERATION_TIMEDOUT: return TransportFailure::dropped;
  default: return TransportFailure::other;
  }
}


} // namespace

struct HttpClient::Handle {
  CURL* curl = nullptr;
  ~Handle() {
    if (curl) {
      lib().easy_cleanup(curl);
    }
  }
};

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) {
      return value;
    }
  }
  return std::nullopt;
}

HttpClient::HttpClient(HttpOptions options)
    : m_handle(std::make_unique<Handle>()), m_options(std::move(options)) {
  m_handle->curl = lib().easy_init();
  if (!m_handle->curl) {
    throw core::Error("curl_easy_init failed");
  }
}

HttpClient::~HttpClient() = default;

HttpResponse HttpClient::perform(const HttpRequest& request) {
  CURL* curl = m_handle->curl;
  lib().easy_reset(curl); // keeps the connection cache
  HttpResponse response;
  Transfer t{.curl = curl,
             .request = &request,
             .response = &response,
             .body = {},
             .error = {},
             .sink_started = false};
  CurlSlist headers;
  for (const std::string& h : request.headers) {
    headers.append(h);
  }
  headers.append("Expect:"); // no 100-continue round trip before uploads
  char error_text[CURL_ERROR_SIZE] = {};

  lib().easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  lib().easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);
  lib().easy_setopt(curl, CURLOPT_ERRORBUFFER, error_text);
  lib().easy_setopt(curl, CURLOPT_USERAGENT, m_options.user_agent.c_str());
  lib().easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  lib().easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  lib().easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  // libcurl drops our Authorization header when a redirect leaves the host
  // (CURLOPT_UNRESTRICTED_AUTH stays off), as the distribution spec requires.
  lib().easy_setopt(curl, CURLOPT_FOLLOWLOCATION, request.follow_redirects ? 1L : 0L);
  lib().easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
  lib().easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, m_options.verify_tls ? 1L : 0L);
  lib().easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, m_options.verify_tls ? 2L : 0L);
  lib().easy_setopt(curl, CURLOPT_CONNECTTIMEOUT,
                   static_cast<long>(m_options.connect_timeout.count()));
  lib().easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  lib().easy_setopt(curl, CURLOPT_LOW_SPEED_TIME,
                   static_cast<long>(m_options.stall_timeout.count()));
  // Bigger buffers than libcurl's 16 KiB: fewer callbacks and writes per blob.
  lib().easy_setopt(curl, CURLOPT_BUFFERSIZE, 512L << 10);
  lib().easy_setopt(curl, CURLOPT_UPLOAD_BUFFERSIZE, 512L << 10);
  lib().easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  lib().easy_setopt(curl, CURLOPT_HEADERDATA, &t);
  lib().easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  lib().easy_setopt(curl, CURLOPT_WRITEDATA, &t);

  if (request.method == "HEAD") {
    lib().easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET") {
    // Every other method may carry a body; an upload with size 0 sends none.
    if (request.open_body) {
      t.body = request.open_body();
    }
    lib().easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    lib().easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body_size));
    lib().easy_setopt(curl, CURLOPT_READFUNCTION, on_read);
    lib().easy_setopt(curl, CURLOPT_READDATA, &t);
    lib().easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  CURLcode code = lib().easy_perform(curl);
  if (t.error) {
    std::rethrow_exception(t.error);
  }
  char* effective = nullptr;
  lib().easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &effective);
  response.effective_url = effective ? effective : request.url;
  if (code != CURLE_OK) {
    response.status = 0;
    response.failure = classify(code);
    response.failure_message = std::string(error_text[0] ? error_text : lib().easy_strerror(code)) +
                               ", curl error " + std::to_string(static_cast<int>(code));
    return response;
  }
  lib().easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

bool is_retryable(const HttpResponse& response) {
  switch (response.failure) {
  case TransportFailure::dropped:
  case TransportFailure::connection_refused: return true;
  case TransportFailure::none: break;
  default: return false;
  }
  return response.status == 408 || response.status == 429 || response.status >= 500;
}

std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int attempt,
                                      const HttpResponse& response) {
  using std::chrono::milliseconds;
  if (response.status == 429 || response.status == 503) {
    if (auto after = response.header("retry-after")) {
      char* end = nullptr;
      long seconds = std::strtol(after->c_str(), &end, 10);
      if (end != after->c_str() && *end == '\0' && seconds >= 0) {
        return std::min(milliseconds(seconds * 1000), policy.max_delay);
      }
    }
  }
  milliseconds delay = policy.base_delay * (1LL << std::min(attempt, 20));
  return std::min(delay, policy.max_delay);
}

HttpResponse perform_with_retry(HttpClient& client, const HttpRequest& request,
                                const RetryPolicy& policy) {
  HttpResponse response;
  for (int attempt = 0; attempt < policy.attempts; ++attempt) {
    if (attempt > 0) {
      std::this_thread::sleep_for(retry_delay(policy, attempt - 1, response));
    }
    response = client.perform(request);
    if (!is_retryable(response)) {
      break;
    }
  }
  return response;
}

std::string describe_failure(const HttpResponse& response) {
  switch (response.failure) {
  case TransportFailure::unknown_host:
    return "cannot resolve host (" + response.failure_message + ")";
  case TransportFailure::connection_refused:
    return "connection refused (" + response.failure_message + "); is the registry running?";
  case TransportFailure::tls: return "TLS failure (" + response.failure_message + ")";
  case TransportFailure::dropped: return "connection dropped (" + response.failure_message + ")";
  case TransportFailure::other: return response.failure_message;
  case TransportFailure::none: break;
  }
  return "HTTP " + std::to_string(response.status);
}

std::string url_host(std::string_view url) {
  size_t start = url.find("://");
  start = start == std::string_view::npos ? 0 : start + 3;
  size_t end = url.find_first_of("/?#", start);
  return std::string(url.substr(start, end == std::string_view::npos ? url.npos : end - start));
}

std::string resolve_location(std::string_view base_url, std::string_view location) {
  if (location.starts_with("http://") || location.starts_with("https://")) {
    return std::string(location);
  }
  size_t scheme_end = base_url.find("://");
  size_t host_end = base_url.find('/', scheme_end == std::string_view::npos ? 0 : scheme_end + 3);
  std::string origin(base_url.substr(0, host_end));
  if (location.starts_with("/")) {
    return origin + std::string(location);
  }
  // A relative path: resolve against the directory of the base path.
  std::string_view path = host_end == std::string_view::npos ? "/" : base_url.substr(host_end);
  path = path.substr(0, path.find('?'));
  return origin + std::string(path.substr(0, path.rfind('/') + 1)) + std::string(location);
}

} // namespace registry
