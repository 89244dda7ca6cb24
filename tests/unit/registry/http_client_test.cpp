#include "registry/http_client.h"
#include "registry/registry_client.h"

#include "test_http_server.h"

#include "core/content_store.h"
#include "core/digest.h"
#include "core/error.h"
#include "core/temp_dir.h"

#include <catch2/catch.hpp>

#include <filesystem>

using registry::HttpClient;
using registry::HttpRequest;
using registry::HttpResponse;
using registry::RetryPolicy;
using registry::TransportFailure;
using registry_test::Reply;
using registry_test::SeenRequest;
using registry_test::TestServer;

namespace {

constexpr RetryPolicy k_fast{.attempts = 3,
                             .base_delay = std::chrono::milliseconds(1),
                             .max_delay = std::chrono::milliseconds(5)};

core::Digest digest_of(std::string_view data) {
  core::Sha256 h;
  h.update(data);
  return h.finish();
}

std::string blob_data() {
  std::string data;
  for (int i = 0; i < 1000; ++i) {
    data += "0123456789";
  }
  return data;
}

registry::ClientOptions fast_options() {
  return {.retry = k_fast};
}

size_t temp_files(const core::ContentStore& store) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e :
       std::filesystem::directory_iterator(store.root() / ".tmp")) {
    ++n;
  }
  return n;
}

} // namespace

TEST_CASE("perform_with_retry retries 503 until it succeeds", "[registry][http]") {
  TestServer server([](const SeenRequest&, int i) {
    return Reply{TestServer::response(i < 2 ? 503 : 200, i < 2 ? "busy" : "ok")};
  });
  HttpClient http;
  HttpResponse r =
      registry::perform_with_retry(http, {.url = "http://" + server.host() + "/x"}, k_fast);
  CHECK(r.status == 200);
  CHECK(r.body == "ok");
  CHECK(server.requests().size() == 3);
}

TEST_CASE("perform_with_retry gives up after its attempts and never retries a 404",
          "[registry][http]") {
  SECTION("persistent 500") {
    TestServer server([](const SeenRequest&, int) { return Reply{TestServer::response(500, "")}; });
    HttpClient http;
    HttpResponse r =
        registry::perform_with_retry(http, {.url = "http://" + server.host() + "/"}, k_fast);
    CHECK(r.status == 500);
    CHECK(server.requests().size() == 3);
  }
  SECTION("404") {
    TestServer server([](const SeenRequest&, int) { return Reply{TestServer::response(404, "")}; });
    HttpClient http;
    HttpResponse r =
        registry::perform_with_retry(http, {.url = "http://" + server.host() + "/"}, k_fast);
    CHECK(r.status == 404);
    CHECK(server.requests().size() == 1);
  }
}

TEST_CASE("retry_delay doubles, caps and honours Retry-After", "[registry][http]") {
  RetryPolicy policy{.attempts = 5,
                     .base_delay = std::chrono::milliseconds(100),
                     .max_delay = std::chrono::milliseconds(1000)};
  HttpResponse r503{.status = 503};
  CHECK(registry::retry_delay(policy, 0, r503) == std::chrono::milliseconds(100));
  CHECK(registry::retry_delay(policy, 2, r503) == std::chrono::milliseconds(400));
  CHECK(registry::retry_delay(policy, 6, r503) == std::chrono::milliseconds(1000));
  HttpResponse r429{.status = 429, .headers = {{"retry-after", "0"}}};
  CHECK(registry::retry_delay(policy, 3, r429) == std::chrono::milliseconds(0));
  r429.headers = {{"retry-after", "120"}};
  CHECK(registry::retry_delay(policy, 0, r429) == std::chrono::milliseconds(1000));
}

TEST_CASE("is_retryable separates transient from final failures", "[registry][http]") {
  CHECK(registry::is_retryable({.status = 502}));
  CHECK(registry::is_retryable({.status = 429}));
  CHECK_FALSE(registry::is_retryable({.status = 401}));
  CHECK_FALSE(registry::is_retryable({.status = 200}));
  CHECK(registry::is_retryable({.failure = TransportFailure::dropped}));
  CHECK(registry::is_retryable({.failure = TransportFailure::connection_refused}));
  CHECK_FALSE(registry::is_retryable({.failure = TransportFailure::unknown_host}));
  CHECK_FALSE(registry::is_retryable({.failure = TransportFailure::tls}));
}

TEST_CASE("a closed port is reported as a refused connection", "[registry][http]") {
  std::string host;
  {
    TestServer server([](const SeenRequest&, int) { return Reply{}; });
    host = server.host();
  }
  HttpClient http;
  HttpResponse r = http.perform({.url = "http://" + host + "/v2/"});
  CHECK(r.failure == TransportFailure::connection_refused);
  CHECK_THAT(registry::describe_failure(r), Catch::Contains("connection refused"));
}

TEST_CASE("resolve_location handles absolute, rooted and relative locations", "[registry][http]") {
  CHECK(registry::resolve_location("http://h:1/v2/a/blobs/uploads/", "/v2/a/blobs/uploads/x?s=1") ==
        "http://h:1/v2/a/blobs/uploads/x?s=1");
  CHECK(registry::resolve_location("http://h:1/v2/a/", "https://o/p") == "https://o/p");
  CHECK(registry::resolve_location("http://h:1/v2/a/b?q", "c") == "http://h:1/v2/a/c");
  CHECK(registry::url_host("https://reg.example:5000/v2/") == "reg.example:5000");
}

TEST_CASE("fetch_blob resumes a dropped transfer with a Range request", "[registry][client]") {
  std::string data = blob_data();
  core::Digest digest = digest_of(data);
  std::string half = data.substr(0, 5000);
  TestServer server([&](const SeenRequest& req, int i) {
    if (i == 0) {
      // Promise the whole blob, send half, hang up.
      return Reply{"HTTP/1.1 200 OK\r\nContent-Length: 10000\r\n\r\n" + half, true};
    }
    bool ranged = req.headers.find("range: bytes=5000-") != std::string::npos;
    return Reply{ranged ? TestServer::response(206, data.substr(5000),
                                               "Content-Range: bytes 5000-9999/10000\r\n")
                        : TestServer::response(500, "")};
  });
  core::TempDir dir;
  core::ContentStore store(dir.path());
  {
    registry::RegistryClient client(server.host(), "team/app", registry::Access::pull,
                                    fast_options());
    client.fetch_blob({.media_type = "x", .digest = digest, .size = 10000}, store);
  }
  CHECK(store.read_all(digest) == data);
  CHECK(server.requests().size() == 2);
}

TEST_CASE("fetch_blob skips the held prefix when a server ignores Range", "[registry][client]") {
  std::string data = blob_data();
  core::Digest digest = digest_of(data);
  TestServer server([&](const SeenRequest&, int i) {
    if (i == 0) {
      return Reply{"HTTP/1.1 200 OK\r\nContent-Length: 10000\r\n\r\n" + data.substr(0, 3000), true};
    }
    return Reply{TestServer::response(200, data)};
  });
  core::TempDir dir;
  core::ContentStore store(dir.path());
  {
    registry::RegistryClient client(server.host(), "app", registry::Access::pull, fast_options());
    client.fetch_blob({.media_type = "x", .digest = digest, .size = 10000}, store);
  }
  CHECK(store.read_all(digest) == data);
}

TEST_CASE("fetch_blob stores nothing when the content is wrong", "[registry][client]") {
  std::string data = blob_data();
  core::Digest digest = digest_of(data);
  std::string wrong = data;
  wrong[42] = 'x';
  TestServer server(
      [&](const SeenRequest&, int) { return Reply{TestServer::response(200, wrong)}; });
  core::TempDir dir;
  core::ContentStore store(dir.path());
  registry::RegistryClient client(server.host(), "app", registry::Access::pull, fast_options());
  SECTION("same size, other bytes") {
    CHECK_THROWS_WITH(
        client.fetch_blob({.media_type = "x", .digest = digest, .size = 10000}, store),
        Catch::Contains("digest mismatch") && Catch::Contains("nothing stored"));
  }
  SECTION("more bytes than the descriptor says") {
    CHECK_THROWS_WITH(client.fetch_blob({.media_type = "x", .digest = digest, .size = 100}, store),
                      Catch::Contains("more than the 100 bytes"));
  }
  CHECK_FALSE(store.has(digest));
  CHECK(temp_files(store) == 0);
}

TEST_CASE("basic auth: credentials are sent after a Basic challenge", "[registry][client]") {
  TestServer server([](const SeenRequest& req, int) {
    // "alice:pw" in base64
    if (req.headers.find("authorization: basic ywxpy2u6chc=") != std::string::npos) {
      return Reply{TestServer::response(200, "{}")};
    }
    return Reply{TestServer::response(401, "", "WWW-Authenticate: Basic realm=\"Test Realm\"\r\n")};
  });
  registry::ClientOptions options = fast_options();
  options.docker_config = "/nonexistent/config.json";
  SECTION("right password") {
    options.credentials = registry::Credentials{"alice", "pw"};
    registry::RegistryClient client(server.host(), "app", registry::Access::pull, options);
    CHECK_NOTHROW(client.ping());
  }
  SECTION("wrong password") {
    options.credentials = registry::Credentials{"alice", "nope"};
    registry::RegistryClient client(server.host(), "app", registry::Access::pull, options);
    CHECK_THROWS_WITH(client.ping(), Catch::Contains("rejected the credentials of user 'alice'") &&
                                         Catch::Contains("Test Realm"));
  }
  SECTION("no credentials") {
    registry::RegistryClient client(server.host(), "app", registry::Access::pull, options);
    CHECK_THROWS_WITH(client.ping(), Catch::Contains("requires a login") &&
                                         Catch::Contains("cbuild login " + server.host()));
  }
}

TEST_CASE("bearer auth: a token is fetched from the realm with the repository scope",
          "[registry][client]") {
  std::string realm;
  TestServer server([&](const SeenRequest& req, int) {
    if (req.target.starts_with("/token?")) {
      return Reply{TestServer::response(200, R"({"token":"tok123","expires_in":60})")};
    }
    if (req.headers.find("authorization: bearer tok123") != std::string::npos) {
      return Reply{TestServer::response(200, "{}")};
    }
    return Reply{TestServer::response(
        401, "", "WWW-Authenticate: Bearer realm=\"" + realm + "\",service=\"reg\"\r\n")};
  });
  realm = "http://" + server.host() + "/token";
  registry::ClientOptions options = fast_options();
  options.docker_config = "/nonexistent/config.json";
  {
    registry::RegistryClient client(server.host(), "team/app", registry::Access::push, options);
    client.ping();
  }
  std::vector<SeenRequest> seen = server.requests();
  REQUIRE(seen.size() == 3);
  CHECK(seen[1].target == "/token?service=reg&scope=repository%3Ateam%2Fapp%3Apull%2Cpush");
}

TEST_CASE("get_manifest tells a missing tag from a missing repository", "[registry][client]") {
  TestServer server([](const SeenRequest& req, int) {
    std::string code =
        req.target.find("/nope/") != std::string::npos ? "NAME_UNKNOWN" : "MANIFEST_UNKNOWN";
    return Reply{
        TestServer::response(404, R"({"errors":[{"code":")" + code + R"(","message":"x"}]})")};
  });
  {
    // One client at a time: the test server serves one connection at a time.
    registry::RegistryClient there(server.host(), "app", registry::Access::pull, fast_options());
    CHECK_THROWS_WITH(there.get_manifest("v9"),
                      Catch::Contains("manifest v9 not found in repository") &&
                          Catch::Contains("MANIFEST_UNKNOWN"));
  }
  registry::RegistryClient missing(server.host(), "nope", registry::Access::pull, fast_options());
  CHECK_THROWS_WITH(missing.get_manifest("latest"),
                    Catch::Contains("repository " + server.host() + "/nope not found"));
}

TEST_CASE("get_manifest verifies the bytes against the requested digest", "[registry][client]") {
  std::string body =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"})";
  TestServer server([&](const SeenRequest&, int) {
    return Reply{TestServer::response(
        200, body, "Content-Type: application/vnd.oci.image.manifest.v1+json\r\n")};
  });
  registry::RegistryClient client(server.host(), "app", registry::Access::pull, fast_options());
  registry::FetchedManifest ok = client.get_manifest(digest_of(body).str());
  CHECK(ok.bytes == body);
  CHECK(ok.media_type == "application/vnd.oci.image.manifest.v1+json");
  CHECK_THROWS_WITH(client.get_manifest(digest_of("other").str()),
                    Catch::Contains("digest mismatch"));
}
