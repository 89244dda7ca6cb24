#include "registry/reference.h"

#include "core/error.h"

#include <catch2/catch.hpp>

using registry::parse_reference;

TEST_CASE("parse_reference normalises short names like Docker", "[registry][reference]") {
  auto r = parse_reference("busybox");
  CHECK(r.domain == "docker.io");
  CHECK(r.path == "library/busybox");
  CHECK(r.tag == "latest");
  CHECK_FALSE(r.digest);
  CHECK(r.str() == "docker.io/library/busybox:latest");
  CHECK(r.familiar() == "busybox:latest");

  CHECK(parse_reference("team/app:v1").str() == "docker.io/team/app:v1");
  CHECK(parse_reference("team/app:v1").familiar() == "team/app:v1");
  CHECK(parse_reference("docker.io/library/busybox:1.36").familiar() == "busybox:1.36");
}

TEST_CASE("parse_reference keeps registry hosts and ports apart from tags",
          "[registry][reference]") {
  auto r = parse_reference("localhost:5000/team/app");
  CHECK(r.domain == "localhost:5000");
  CHECK(r.path == "team/app");
  CHECK(r.tag == "latest");
  CHECK(r.familiar() == "localhost:5000/team/app:latest");

  auto l = parse_reference("localhost/busybox:latest");
  CHECK(l.domain == "localhost");
  CHECK(l.path == "busybox");

  auto q = parse_reference("quay.io/org/img:1.0-rc.1");
  CHECK(q.domain == "quay.io");
  CHECK(q.tag == "1.0-rc.1");

  auto v6 = parse_reference("[::1]:5000/app:x");
  CHECK(v6.domain == "[::1]:5000");
  CHECK(v6.path == "app");
}

TEST_CASE("parse_reference reads digests, with or without a tag", "[registry][reference]") {
  std::string hex(64, 'e');
  auto r = parse_reference("app@sha256:" + hex);
  CHECK(r.tag.empty());
  REQUIRE(r.digest);
  CHECK(r.digest->hex() == hex);
  CHECK(r.str() == "docker.io/library/app@sha256:" + hex);

  auto both = parse_reference("127.0.0.1:5000/app:v2@sha256:" + hex);
  CHECK(both.tag == "v2");
  CHECK(both.str() == "127.0.0.1:5000/app:v2@sha256:" + hex);
}

TEST_CASE("parse_reference refuses malformed references with a reason", "[registry][reference]") {
  CHECK_THROWS_WITH(parse_reference("Busybox"),
                    "invalid reference format 'Busybox': repository name must be lowercase");
  CHECK_THROWS_WITH(parse_reference(""), "invalid reference format '': empty reference");
  CHECK_THROWS_AS(parse_reference("app:"), core::InputError);
  CHECK_THROWS_AS(parse_reference("app:-x"), core::InputError);
  CHECK_THROWS_AS(parse_reference("app@sha256:abc"), core::InputError);
  CHECK_THROWS_AS(parse_reference("a//b"), core::InputError);
  CHECK_THROWS_AS(parse_reference("a/-b"), core::InputError);
  CHECK_THROWS_AS(parse_reference("a..b"), core::InputError);
  CHECK_THROWS_AS(parse_reference("host:port/app"), core::InputError);
  CHECK_THROWS_AS(parse_reference("localhost:5000/"), core::InputError);
  CHECK_THROWS_AS(parse_reference("app:" + std::string(129, 'a')), core::InputError);
  CHECK_THROWS_AS(parse_reference(std::string(300, 'a')), core::InputError);
  CHECK(parse_reference("a__b/c-d--e.f_g:t").path == "a__b/c-d--e.f_g");
  CHECK_FALSE(registry::try_parse_reference("UPPER"));
}
