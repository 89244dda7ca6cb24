#include "registry/registry_client.h"

#include "core/digest.h"
#include "core/error.h"
#include "core/media_types.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <thread>

namespace registry {

namespace {

constexpr size_t k_pool_max = 4;
constexpr std::string_view k_accept = "Accept: application/vnd.oci.image.index.v1+json, "
                                      "application/vnd.oci.image.manifest.v1+json, "
                                      "application/vnd.docker.distribution.manifest.list.v2+json, "
                                      "application/vnd.docker.distribution.manifest.v2+json";

bool is_loopback(std::string_view host) {
  std::string_view name =
      host.substr(0, host.starts_with("[") ? host.find(']') + 1 : host.find(':'));
  return name == "localhost" || name == "127.0.0.1" || name == "[::1]";
}

std::string strip_params(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && type.back() == ' ') {
    type.remove_suffix(1);
  }
  return std::string(type);
}

std::string with_query(std::string url, std::string_view query) {
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += query;
  return url;
}

/// Counts bytes into a progress callback while passing them on.
class CountingInput : public core::InputStream {
public:
  CountingInput(std::unique_ptr<core::InputStream> inner, const ProgressFn& progress,
                std::uint64_t start)
      : m_inner(std::move(inner)), m_progress(progress), m_done(start) {}
  size_t read(void* buffer, size_t size) override {
    size_t n = m_inner->read(buffer, size);
    m_done += n;
    if (m_progress) {
      m_progress(m_done);
    }
    return n;
  }

private:
  std::unique_ptr<core::InputStream> m_inner;
  const ProgressFn& m_progress;
  std::uint64_t m_done;
};

/// The sink of a (possibly resumed) blob download: skips bytes the store
/// already holds when a server ignores Range, and refuses more bytes than the
/// descriptor's size so a hostile server cannot fill the disk.
class BlobSink : public core::OutputStream {
public:
  BlobSink(core::ContentStore::Writer& writer, const core::Descriptor& blob,
           const ProgressFn& progress)
      : m_writer(writer), m_blob(blob), m_progress(progress) {}
  void skip(std::uint64_t n) { m_skip = n; }
  void write(const void* data, size_t size) override {
    auto* bytes = static_cast<const char*>(data);
    std::uint64_t skipped = std::min<std::uint64_t>(m_skip, size);
    m_skip -= skipped;
    bytes += skipped;
    size -= skipped;
    if (m_writer.size() + size > static_cast<std::uint64_t>(m_blob.size)) {
      throw core::InputError("blob " + m_blob.digest.str() + ": the registry sent more than the " +
                             std::to_string(m_blob.size) +
                             " bytes its descriptor declares; nothing was stored");
    }
    m_writer.write(bytes, size);
    if (m_progress) {
      m_progress(m_writer.size());
    }
  }
  using core::OutputStream::write;

private:
  core::ContentStore::Writer& m_writer;
  const core::Descriptor& m_blob;
  const ProgressFn& m_progress;
  std::uint64_t m_skip = 0;
};

} // namespace

struct RegistryClient::AuthState {
  std::mutex mutex;
  std::string header; ///< "Authorization: …" or empty (anonymous)
  std::string user;   ///< whose credentials `header` carries, for messages
  std::string realm;  ///< of the last challenge, for messages
  std::chrono::steady_clock::time_point expires = std::chrono::steady_clock::time_point::max();
  std::vector<std::string> scopes;
};

Endpoint endpoint_for(std::string_view host, const std::vector<std::string>& insecure) {
  std::string api_host = host == "docker.io" ? "registry-1.docker.io" : std::string(host);
  bool plain = is_loopback(host) ||
               std::find(insecure.begin(), insecure.end(), std::string(host)) != insecure.end();
  return {std::string(host), (plain ? "http://" : "https://") + api_host};
}

RegistryClient::RegistryClient(std::string host, std::string repository, Access access,
                               ClientOptions options)
    : m_endpoint(endpoint_for(host, options.insecure_registries)),
      m_repository(std::move(repository)), m_access(access), m_options(std::move(options)),
      m_auth(std::make_unique<AuthState>()) {
  m_auth->scopes.push_back("repository:" + m_repository +
                           (m_access == Access::push ? ":pull,push" : ":pull"));
}

RegistryClient::~RegistryClient() = default;

void RegistryClient::add_scope(std::string scope) {
  std::lock_guard lock(m_auth->mutex);
  m_auth->scopes.push_back(std::move(scope));
}

std::unique_ptr<HttpClient> RegistryClient::borrow() {
  {
    std::lock_guard lock(m_mutex);
    if (!m_pool.empty()) {
      std::unique_ptr<HttpClient> http = std::move(m_pool.back());
      m_pool.pop_back();
      return http;
    }
  }
  return std::make_unique<HttpClient>();
}

void RegistryClient::give_back(std::unique_ptr<HttpClient> http) {
  std::lock_guard lock(m_mutex);
  if (m_pool.size() < k_pool_max) {
    m_pool.push_back(std::move(http));
  }
}

std::string RegistryClient::url(std::string_view path) const {
  return m_endpoint.base_url + std::string(path);
}

HttpResponse RegistryClient::send(HttpRequest request, bool retry) {
  std::unique_ptr<HttpClient> http = borrow();
  HttpResponse response = send_with(*http, request, retry);
  give_back(std::move(http));
  return response;
}

HttpResponse RegistryClient::send_with(HttpClient& http, HttpRequest& request, bool retry) {
  auto attempt = [&] {
    HttpRequest authed = request;
    {
      std::lock_guard lock(m_auth->mutex);
      if (!m_auth->header.empty() && std::chrono::steady_clock::now() < m_auth->expires) {
        authed.headers.push_back(m_auth->header);
      }
    }
    return retry ? perform_with_retry(http, authed, m_options.retry) : http.perform(authed);
  };
  HttpResponse response = attempt();
  if (response.status != 401) {
    return response;
  }
  authenticate(http, response);
  response = attempt();
  if (response.status == 401) {
    std::lock_guard lock(m_auth->mutex);
    throw core::Error(m_endpoint.host + " rejected the credentials of user '" + m_auth->user +
                      "' (401 Unauthorized, realm \"" + m_auth->realm +
                      "\"): check them with 'cbuild login " + m_endpoint.host + "'");
  }
  return response;
}

void RegistryClient::authenticate(HttpClient& http, const HttpResponse& challenge_response) {
  std::vector<Challenge> challenges =
      parse_challenges(challenge_response.header("www-authenticate").value_or(""));
  std::optional<Credentials> credentials = m_options.credentials;
  if (!credentials) {
    DockerConfig config(m_options.docker_config.empty() ? DockerConfig::default_path()
                                                        : m_options.docker_config);
    credentials = config.find(m_endpoint.host);
  }
  std::lock_guard lock(m_auth->mutex);
  m_auth->user = credentials ? credentials->username : "";
  for (const Challenge& challenge : challenges) {
    m_auth->realm = challenge.param("realm");
    if (challenge.scheme == "basic") {
      if (!credentials) {
        throw core::Error(m_endpoint.host + " requires a login (401 Unauthorized, realm \"" +
                          m_auth->realm + "\"): run 'cbuild login " + m_endpoint.host + "'");
      }
      m_auth->header = "Authorization: Basic " +
                       base64_encode(credentials->username + ":" + credentials->password);
      m_auth->expires = std::chrono::steady_clock::time_point::max();
      return;
    }
    if (challenge.scheme == "bearer" && !m_auth->realm.empty()) {
      HttpRequest token_request{.url = token_url(challenge, m_auth->scopes)};
      if (credentials) {
        token_request.headers.push_back(
            "Authorization: Basic " +
            base64_encode(credentials->username + ":" + credentials->password));
      }
      HttpResponse reply = perform_with_retry(http, token_request, m_options.retry);
      if (reply.status == 401 || reply.status == 403) {
        throw core::Error("token server " + m_auth->realm + " refused " +
                          (credentials ? "the credentials of user '" + credentials->username + "'"
                                       : std::string("anonymous access")) +
                          " (HTTP " + std::to_string(reply.status) + "): run 'cbuild login " +
                          m_endpoint.host + "'");
      }
      if (reply.status != 200) {
        throw core::Error("get a token from " + m_auth->realm + ": " + describe_failure(reply));
      }
      BearerToken token = parse_token_response(reply.body, m_auth->realm);
      m_auth->header = "Authorization: Bearer " + token.token;
      // Renew a little early so a token never expires in flight.
      m_auth->expires =
          std::chrono::steady_clock::now() + token.expires_in -
          std::min<std::chrono::seconds>(token.expires_in / 10, std::chrono::seconds(10));
      return;
    }
  }
  throw core::Error(m_endpoint.host + " answered 401 Unauthorized without a usable challenge (" +
                    challenge_response.header("www-authenticate").value_or("none") + ")");
}

void RegistryClient::fail(std::string_view what, const HttpResponse& response) const {
  std::string message = std::string(what) + " on " + m_endpoint.host + ": ";
  if (response.failure == TransportFailure::unknown_host) {
    message += "unknown host '" + url_host(m_endpoint.base_url) + "'; check the image name";
  } else if (response.failure != TransportFailure::none) {
    message += describe_failure(response);
  } else {
    message += "HTTP " + std::to_string(response.status);
    if (std::string text = registry_error_text(response.body); !text.empty()) {
      message += " (" + text + ")";
    }
    if (response.status == 403) {
      message += "; the account may lack access to " + m_repository;
    }
  }
  if (is_retryable(response)) {
    message += " (after " + std::to_string(m_options.retry.attempts) + " attempts)";
  }
  throw core::Error(message);
}

void RegistryClient::ping() {
  HttpResponse response = send({.url = url("/v2/")});
  if (response.status != 200) {
    fail("check the registry API", response);
  }
}

FetchedManifest RegistryClient::get_manifest(std::string_view reference) {
  std::string path = "/v2/" + m_repository + "/manifests/" + std::string(reference);
  HttpResponse response = send({.url = url(path), .headers = {std::string(k_accept)}});
  std::string name = m_endpoint.host + "/" + m_repository;
  if (response.status == 404) {
    std::string code = registry_error_code(response.body);
    if (code == "NAME_UNKNOWN") {
      throw core::Error("repository " + name + " not found (404 NAME_UNKNOWN); check the name");
    }
    throw core::Error("manifest " + std::string(reference) + " not found in repository " + name +
                      " (404 " + (code.empty() ? "Not Found" : code) +
                      "); the repository exists or hides itself: check the tag");
  }
  if (response.status != 200) {
    fail("get manifest " + std::string(reference) + " of " + m_repository, response);
  }
  core::Sha256 hasher;
  hasher.update(response.body);
  FetchedManifest fetched{
      .bytes = std::move(response.body), .media_type = {}, .digest = hasher.finish()};
  fetched.media_type = strip_params(response.header("content-type").value_or(""));
  if (!core::is_index(fetched.media_type) && !core::is_manifest(fetched.media_type)) {
    fetched.media_type = core::sniff_media_type(fetched.bytes);
  }
  std::optional<core::Digest> wanted = core::Digest::parse(reference);
  if (!wanted) {
    if (auto header = response.header("docker-content-digest")) {
      wanted = core::Digest::parse(*header);
    }
  }
  if (wanted && *wanted != fetched.digest) {
    throw core::InputError("manifest " + std::string(reference) + " of " + name +
                           ": digest mismatch (expected " + wanted->str() + ", content is " +
                           fetched.digest.str() + ")");
  }
  return fetched;
}

bool RegistryClient::has_blob(const core::Digest& digest) {
  HttpResponse response =
      send({.method = "HEAD", .url = url("/v2/" + m_repository + "/blobs/" + digest.str())});
  if (response.status == 200) {
    return true;
  }
  if (response.status == 404) {
    return false;
  }
  fail("check blob " + digest.str(), response);
}

void RegistryClient::fetch_blob(const core::Descriptor& blob, const core::ContentStore& store,
                                const ProgressFn& progress) {
  core::ContentStore::Writer writer = store.writer();
  BlobSink sink(writer, blob, progress);
  std::string what = "fetch blob " + blob.digest.str() + " of " + m_repository;
  for (int attempt = 0;; ++attempt) {
    std::uint64_t offset = writer.size();
    HttpRequest request{.url = url("/v2/" + m_repository + "/blobs/" + blob.digest.str()),
                        .sink = &sink};
    if (offset > 0) {
      // Resume where the dropped transfer stopped; a server that ignores the
      // Range answers 200 with the whole blob, whose first bytes we skip.
      request.headers.push_back("Range: bytes=" + std::to_string(offset) + "-");
      request.on_sink_start = [&sink, offset](long status) {
        sink.skip(status == 200 ? offset : 0);
      };
    }
    HttpResponse response = send(request, false);
    if (response.failure == TransportFailure::none &&
        (response.status == 200 || response.status == 206)) {
      break;
    }
    if (response.status == 404) {
      throw core::Error(what + ": not found on " + m_endpoint.host + " (404 " +
                        registry_error_code(response.body) + ")");
    }
    if (!is_retryable(response) || attempt + 1 >= m_options.retry.attempts) {
      fail(what, response);
    }
    std::this_thread::sleep_for(retry_delay(m_options.retry, attempt, response));
  }
  try {
    writer.commit(blob.digest, static_cast<std::uint64_t>(blob.size));
  } catch (core::Error& e) {
    e.add_context(what + " from " + m_endpoint.host + " (nothing stored)");
    throw;
  }
}

bool RegistryClient::mount_blob(const core::Digest& digest, std::string_view from) {
  std::string path = "/v2/" + m_repository + "/blobs/uploads/?mount=" + digest.str() +
                     "&from=" + std::string(from);
  HttpResponse response = send({.method = "POST", .url = url(path)});
  if (response.status == 201) {
    return true;
  }
  if (response.status == 202) {
    // The registry opened an upload session instead: cancel it (best effort).
    if (auto location = response.header("location")) {
      send({.method = "DELETE", .url = resolve_location(url(path), *location)}, false);
    }
    return false;
  }
  fail("mount blob " + digest.str() + " from " + std::string(from), response);
}

void RegistryClient::upload_blob(const core::Descriptor& blob,
                                 const std::function<std::unique_ptr<core::InputStream>()>& open,
                                 const ProgressFn& progress) {
  std::string what = "upload blob " + blob.digest.str() + " to " + m_repository;
  std::string start_url = url("/v2/" + m_repository + "/blobs/uploads/");
  HttpResponse started = send({.method = "POST", .url = start_url});
  auto location = started.header("location");
  if (started.status != 202 || !location) {
    fail(what, started);
  }
  std::string session = resolve_location(start_url, *location);
  auto size = static_cast<std::uint64_t>(blob.size);
  if (m_options.chunk_size > 0 && size > m_options.chunk_size) {
    upload_chunked(session, blob, open, progress);
    return;
  }
  HttpRequest put{.method = "PUT",
                  .url = with_query(session, "digest=" + blob.digest.str()),
                  .headers = {"Content-Type: application/octet-stream"},
                  .open_body = [&] { return std::make_unique<CountingInput>(open(), progress, 0); },
                  .body_size = size};
  HttpResponse response = send(put);
  if (response.status != 201) {
    fail(what, response);
  }
}

void RegistryClient::upload_chunked(std::string location, const core::Descriptor& blob,
                                    const std::function<std::unique_ptr<core::InputStream>()>& open,
                                    const ProgressFn& progress) {
  std::string what = "upload blob " + blob.digest.str() + " to " + m_repository;
  auto size = static_cast<std::uint64_t>(blob.size);
  std::unique_ptr<core::InputStream> in = open();
  std::string chunk;
  for (std::uint64_t offset = 0; offset < size;) {
    std::uint64_t n = std::min(m_options.chunk_size, size - offset);
    chunk.resize(n);
    for (size_t got = 0; got < n;) {
      size_t r = in->read(chunk.data() + got, n - got);
      if (r == 0) {
        throw core::Error(what + ": blob ended at byte " + std::to_string(offset + got));
      }
      got += r;
    }
    HttpRequest patch{
        .method = "PATCH",
        .url = location,
        .headers = {"Content-Type: application/octet-stream",
                    "Content-Range: " + std::to_string(offset) + "-" +
                        std::to_string(offset + n - 1)},
        .open_body = [&chunk] { return std::make_unique<core::MemoryInputStream>(chunk); },
        .body_size = n};
    HttpResponse response = send(patch);
    auto next = response.header("location");
    if (response.status != 202 || !next) {
      fail(what + " (chunk at byte " + std::to_string(offset) + ")", response);
    }
    location = resolve_location(location, *next);
    offset += n;
    if (progress) {
      progress(offset);
    }
  }
  HttpResponse done = send({.method = "PUT",
                            .url = with_query(location, "digest=" + blob.digest.str()),
                            .headers = {"Content-Type: application/octet-stream"}});
  if (done.status != 201) {
    fail(what, done);
  }
}

core::Digest RegistryClient::put_manifest(std::string_view reference, std::string_view media_type,
                                          std::string_view bytes) {
  core::Sha256 hasher;
  hasher.update(bytes);
  core::Digest digest = hasher.finish();
  std::string body(bytes);
  HttpRequest put{.method = "PUT",
                  .url = url("/v2/" + m_repository + "/manifests/" + std::string(reference)),
                  .headers = {"Content-Type: " + std::string(media_type)},
                  .open_body = [&body] { return std::make_unique<core::MemoryInputStream>(body); },
                  .body_size = body.size()};
  HttpResponse response = send(put);
  if (response.status != 201) {
    fail("put manifest " + std::string(reference) + " of " + m_repository, response);
  }
  if (auto header = response.header("docker-content-digest")) {
    if (core::Digest::parse(*header) != digest) {
      throw core::Error("put manifest " + std::string(reference) + ": " + m_endpoint.host +
                        " reports digest " + *header + " but the manifest is " + digest.str());
    }
  }
  return digest;
}

std::string registry_error_text(std::string_view body) {
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_object() || !doc.contains("errors") || !doc["errors"].is_array()) {
    return "";
  }
  std::string out;
  for (const nlohmann::json& e : doc["errors"]) {
    if (!e.is_object()) {
      continue;
    }
    std::string code =
        e.contains("code") && e["code"].is_string() ? e["code"].get<std::string>() : "";
    std::string message =
        e.contains("message") && e["message"].is_string() ? e["message"].get<std::string>() : "";
    out += (out.empty() ? "" : "; ") + code + (message.empty() ? "" : ": " + message);
  }
  return out;
}

std::string registry_error_code(std::string_view body) {
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_object() && doc.contains("errors") && doc["errors"].is_array() &&
      !doc["errors"].empty() && doc["errors"][0].is_object()) {
    const nlohmann::json& code =
        doc["errors"][0].contains("code") ? doc["errors"][0]["code"] : nlohmann::json();
    return code.is_string() ? code.get<std::string>() : "";
  }
  return "";
}

} // namespace registry
