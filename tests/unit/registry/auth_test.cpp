#include "registry/auth.h"

#include "core/error.h"
#include "core/temp_dir.h"

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

using registry::Challenge;
using registry::Credentials;
using registry::DockerConfig;
using registry::parse_challenges;

namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

} // namespace

TEST_CASE("parse_challenges reads a Docker Hub bearer challenge", "[registry][auth]") {
  auto challenges = parse_challenges(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",)"
      R"(scope="repository:samalba/my-app:pull,push")");
  REQUIRE(challenges.size() == 1);
  CHECK(challenges[0].scheme == "bearer");
  CHECK(challenges[0].param("realm") == "https://auth.docker.io/token");
  CHECK(challenges[0].param("service") == "registry.docker.io");
  // The comma inside the quoted scope does not end the parameter.
  CHECK(challenges[0].param("scope") == "repository:samalba/my-app:pull,push");
}

TEST_CASE("parse_challenges splits several challenges and unquotes escapes", "[registry][auth]") {
  auto challenges = parse_challenges(
      R"(Basic realm="Registry \"Realm\"", Bearer realm=https://t/x, error=invalid_token)");
  REQUIRE(challenges.size() == 2);
  CHECK(challenges[0].scheme == "basic");
  CHECK(challenges[0].param("realm") == "Registry \"Realm\"");
  CHECK(challenges[1].scheme == "bearer");
  CHECK(challenges[1].param("realm") == "https://t/x");
  CHECK(challenges[1].param("error") == "invalid_token");
  CHECK(challenges[1].param("missing").empty());
}

TEST_CASE("parse_challenges skips junk without throwing", "[registry][auth]") {
  CHECK(parse_challenges("").empty());
  CHECK(parse_challenges(" , ,").empty());
  auto challenges = parse_challenges(R"(Basic realm="unterminated)");
  REQUIRE(challenges.size() == 1);
  CHECK(challenges[0].param("realm") == "unterminated");
}

TEST_CASE("token_url escapes service and repeats scope", "[registry][auth]") {
  Challenge bearer{"bearer", {{"realm", "https://auth.example/token"}, {"service", "reg ex"}}};
  CHECK(registry::token_url(bearer, {"repository:a/b:pull,push", "repository:c:pull"}) ==
        "https://auth.example/token?service=reg%20ex&scope=repository%3Aa%2Fb%3Apull%2Cpush"
        "&scope=repository%3Ac%3Apull");
}

TEST_CASE("parse_token_response accepts token or access_token", "[registry][auth]") {
  auto a = registry::parse_token_response(R"({"token":"abc","expires_in":300})", "realm");
  CHECK(a.token == "abc");
  CHECK(a.expires_in == std::chrono::seconds(300));
  auto b = registry::parse_token_response(R"({"access_token":"xyz"})", "realm");
  CHECK(b.token == "xyz");
  CHECK(b.expires_in == std::chrono::seconds(60));
  CHECK_THROWS_WITH(registry::parse_token_response("{}", "https://t"),
                    Catch::Contains("https://t") && Catch::Contains("without a token"));
}

TEST_CASE("base64 round-trips and rejects bad input", "[registry][auth]") {
  CHECK(registry::base64_encode("user:pass") == "dXNlcjpwYXNz");
  CHECK(registry::base64_decode("dXNlcjpwYXNz") == "user:pass");
  CHECK(registry::base64_decode("YQ==") == "a");
  CHECK_FALSE(registry::base64_decode("abc").has_value());
  CHECK_FALSE(registry::base64_decode("a*b=").has_value());
}

TEST_CASE("DockerConfig stores, finds and erases credentials", "[registry][auth]") {
  core::TempDir dir;
  std::filesystem::path path = dir.path() / "docker" / "config.json";
  {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path)
        << R"({"auths":{"https://index.docker.io/v1/":{"auth":"aHViOnNlY3JldA=="}},)"
           R"("credsStore":"none-here"})";
  }
  DockerConfig config(path);
  SECTION("Docker Hub under its legacy key") {
    CHECK(config.find("docker.io") == Credentials{"hub", "secret"});
    CHECK_FALSE(config.find("localhost:5000").has_value());
  }
  SECTION("store keeps other members and makes the file private") {
    config.store("localhost:5000", {"alice", "pa:ss"});
    CHECK(config.find("localhost:5000") == Credentials{"alice", "pa:ss"});
    CHECK(config.find("docker.io") == Credentials{"hub", "secret"});
    CHECK(read_text(path).find("credsStore") != std::string::npos);
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(config.erase("localhost:5000"));
    CHECK_FALSE(config.erase("localhost:5000"));
    CHECK_FALSE(config.find("localhost:5000").has_value());
  }
  SECTION("an entry written as https://host is found by host") {
    std::ofstream(path) << R"({"auths":{"https://reg.example:5000":{"auth":"Ym9iOnB3"}}})";
    CHECK(config.find("reg.example:5000") == Credentials{"bob", "pw"});
  }
  SECTION("a malformed auth names the file and the fix") {
    std::ofstream(path) << R"({"auths":{"bad.example":{"auth":"bm9jb2xvbg=="}}})";
    CHECK_THROWS_AS(config.find("bad.example"), core::InputError);
    CHECK_THROWS_WITH(config.find("bad.example"), Catch::Contains("config.json") &&
                                                      Catch::Contains("cbuild login bad.example"));
  }
  SECTION("a missing file means no credentials") {
    DockerConfig none(dir.path() / "nothing" / "config.json");
    CHECK_FALSE(none.find("docker.io").has_value());
    CHECK_FALSE(none.erase("docker.io"));
  }
}

TEST_CASE("DockerConfig::default_path honours DOCKER_CONFIG", "[registry][auth]") {
  const char* old = std::getenv("DOCKER_CONFIG");
  std::string saved = old ? old : "";
  ::setenv("DOCKER_CONFIG", "/tmp/some-docker-dir", 1);
  CHECK(DockerConfig::default_path() == "/tmp/some-docker-dir/config.json");
  ::unsetenv("DOCKER_CONFIG");
  CHECK(DockerConfig::default_path().filename() == "config.json");
  CHECK(DockerConfig::default_path().parent_path().filename() == ".docker");
  if (old) {
    ::setenv("DOCKER_CONFIG", saved.c_str(), 1);
  }
}
