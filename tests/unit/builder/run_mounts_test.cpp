#include "builder/cache_mounts.h"
#include "builder/layered_path.h"
#include "builder/run_mounts.h"
#include "builder/secrets.h"
#include "core/error.h"
#include "core/temp_dir.h"
#include "test_util.h"

#include <catch2/catch.hpp>

#include <cstdlib>

namespace fs = std::filesystem;
using builder::test::write;

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const core::Error& e) {
    return e.what();
  }
  return "";
}

} // namespace

TEST_CASE("parse_run_mounts fills in BuildKit's defaults", "[builder]") {
  auto mounts =
      builder::parse_run_mounts({"type=secret,id=npm", "type=ssh", "type=cache,target=cache",
                                 "type=secret,id=t,env=T", "type=ssh,id=work"},
                                "/app", "Dockerfile:3");
  REQUIRE(mounts.size() == 5);
  CHECK(mounts[0].mount.target == "/run/secrets/npm");
  CHECK(mounts[0].mount.read_only);
  CHECK(mounts[1].mount.cache_id == "default");
  CHECK(mounts[1].mount.target == "/run/buildkit/ssh_agent.0");
  CHECK(mounts[2].mount.target == "/app/cache");
  CHECK(mounts[2].mount.cache_id == "/app/cache");
  CHECK_FALSE(mounts[2].mount.read_only);
  CHECK(mounts[3].mount.target.empty()); // env only
  CHECK(mounts[4].mount.target == "/run/buildkit/ssh_agent.1");
}

TEST_CASE("parse_run_mounts names an unsupported option and the accepted ones", "[builder]") {
  std::string error = error_of(
      [] { builder::parse_run_mounts({"type=tmpfs,target=/t,from=x"}, "/", "Dockerfile:7"); });
  CHECK(error == "Dockerfile:7: RUN --mount=type=tmpfs,target=/t,from=x: unsupported option "
                 "'from' for type=tmpfs (accepted: type, target (dst, destination), size)");
  error = error_of([] { builder::parse_run_mounts({"type=cache"}, "/", "Dockerfile:2"); });
  CHECK(error == "Dockerfile:2: RUN --mount=type=cache: a cache mount needs target=PATH");
  error = error_of(
      [] { builder::parse_run_mounts({"type=bind,target=/x,rw=maybe"}, "/", "Dockerfile:1"); });
  CHECK(error.starts_with("Dockerfile:1: RUN --mount=type=bind,target=/x,rw=maybe: invalid value"));
}

TEST_CASE("parse_secret_flag follows docker buildx", "[builder]") {
  core::TempDir dir;
  write(dir.path() / "tok", "x");
  builder::SecretSource file =
      builder::parse_secret_flag("id=a,src=" + (dir.path() / "tok").string());
  CHECK(file.id == "a");
  CHECK(file.file == dir.path() / "tok");
  builder::SecretSource env = builder::parse_secret_flag("id=b,env=HOME");
  CHECK(env.env == "HOME");
  CHECK(builder::parse_secret_flag("type=env,id=HOME").env == "HOME");
  CHECK(builder::parse_secret_flag("env=HOME").id == "HOME");
  CHECK(builder::parse_secret_flag("src=" + (dir.path() / "tok").string()).id == "tok");
  ::setenv("CBUILD_TEST_SECRET", "v", 1);
  CHECK(builder::parse_secret_flag("id=CBUILD_TEST_SECRET").env == "CBUILD_TEST_SECRET");
  ::unsetenv("CBUILD_TEST_SECRET");
  std::string error = error_of([&] { builder::parse_secret_flag("id=c,src=/nonexistent/f"); });
  CHECK(error == "--secret id=c: cannot read '/nonexistent/f': No such file or directory");
  error = error_of([] { builder::parse_secret_flag("id=c,file=x"); });
  CHECK(error == "--secret 'id=c,file=x': unknown key 'file' (accepted keys: id, type, src, "
                 "source, env)");
}

TEST_CASE("BuildSecrets::read returns the content, nullopt when not given", "[builder]") {
  core::TempDir dir;
  write(dir.path() / "tok", "secret-bytes");
  builder::BuildSecrets secrets;
  secrets.add(builder::parse_secret_flag("id=a,src=" + (dir.path() / "tok").string()));
  CHECK(secrets.read("a") == std::optional<std::string>("secret-bytes"));
  CHECK_FALSE(secrets.read("b"));
  fs::remove(dir.path() / "tok");
  std::string error = error_of([&] { (void)secrets.read("a"); });
  CHECK(error.starts_with("secret 'a': cannot read '"));
  CHECK(error.find("secret-bytes") == std::string::npos);
}

TEST_CASE("mask_secrets hides values and their long lines", "[builder]") {
  std::vector<std::string> values = {"hunter2-password", "-----BEGIN KEY-----\nAAAABBBBCCCC\nx\n"};
  CHECK(builder::mask_secrets("pw=hunter2-password.", values) == "pw=****.");
  CHECK(builder::mask_secrets("line AAAABBBBCCCC end", values) == "line **** end");
  CHECK(builder::mask_secrets("x marks", values) == "x marks"); // short lines stay
}

TEST_CASE("resolve_in_layers follows symlinks inside the image only", "[builder]") {
  core::TempDir top, bottom;
  fs::create_directories(bottom.path() / "real/dir");
  fs::create_directory_symlink("/real", bottom.path() / "abs");
  fs::create_directory_symlink("../../..", bottom.path() / "real/dir/up");
  fs::create_directories(top.path() / "var");
  std::vector<fs::path> layers = {top.path(), bottom.path()};

  builder::ResolvedPath p = builder::resolve_in_layers(layers, "/abs/dir/new/x");
  CHECK(p.str() == "/real/dir/new/x");
  CHECK(p.existing == 2);
  p = builder::resolve_in_layers(layers, "/real/dir/up/var");
  CHECK(p.str() == "/var"); // ".." stops at the image's root
  CHECK(p.existing == 1);
  fs::create_symlink("loop", bottom.path() / "loop");
  CHECK_THROWS_AS(builder::resolve_in_layers(layers, "/loop/x"), core::InputError);
}

TEST_CASE("MountSession removes the mountpoints it caused, keeps what the command wrote",
          "[builder]") {
  core::TempDir lower, upper, scratch;
  fs::create_directories(lower.path() / "var");
  builder::BuildSecrets secrets;
  builder::MountHost host{.secrets = &secrets,
                          .cache_root = scratch.path() / "cache-mounts",
                          .scratch_dir = scratch.path(),
                          .source_root = {}};
  auto mounts = builder::parse_run_mounts(
      {"type=tmpfs,target=/var/cache/x", "type=tmpfs,target=/opt/a/b"}, "/", "Dockerfile:2");
  std::vector<fs::path> lowers = {lower.path()};
  builder::MountSession session(mounts, lowers, host, "Dockerfile:2");
  REQUIRE(session.mounts().size() == 2);
  CHECK(session.mounts()[0].target == "/var/cache/x");
  // What the sandbox and the command left in the upper dir:
  fs::create_directories(upper.path() / "var/cache/x");
  fs::create_directories(upper.path() / "opt/a/b");
  write(upper.path() / "opt/a/kept", "written by the command");
  fs::permissions(upper.path() / "var", fs::status(lower.path() / "var").permissions());
  session.remove_mount_stubs(upper.path());
  CHECK_FALSE(fs::exists(upper.path() / "var")); // a plain copy-up, now empty
  CHECK_FALSE(fs::exists(upper.path() / "opt/a/b"));
  CHECK(fs::exists(upper.path() / "opt/a/kept"));
}

TEST_CASE("MountSession: a required secret that was not given is an error", "[builder]") {
  core::TempDir scratch;
  builder::BuildSecrets secrets;
  builder::MountHost host{.secrets = &secrets,
                          .cache_root = scratch.path() / "cache-mounts",
                          .scratch_dir = scratch.path(),
                          .source_root = {}};
  std::vector<fs::path> lowers = {scratch.path()};
  auto optional = builder::parse_run_mounts({"type=secret,id=npm"}, "/", "Dockerfile:2");
  CHECK(builder::MountSession(optional, lowers, host, "Dockerfile:2").mounts().empty());
  auto required = builder::parse_run_mounts({"type=secret,id=npm,required"}, "/", "Dockerfile:2");
  std::string error =
      error_of([&] { builder::MountSession session(required, lowers, host, "Dockerfile:2"); });
  CHECK(error == "Dockerfile:2: secret 'npm' is required but was not given (pass --secret "
                 "id=npm,src=FILE or --secret id=npm,env=VAR; secrets given: none)");
}

TEST_CASE("lock_cache_dir: private gives way to a holder, shared users coexist", "[builder]") {
  core::TempDir root;
  fs::path dir = builder::cache_mount_dir(root.path(), "/var/cache/apt");
  CHECK(dir.filename().string().size() == 64);
  fs::create_directory(dir);
  // flock conflicts between open file descriptions, even in one process.
  std::optional<core::UniqueFd> shared1 =
      builder::lock_cache_dir(dir, builder::CacheSharing::shared);
  std::optional<core::UniqueFd> shared2 =
      builder::lock_cache_dir(dir, builder::CacheSharing::shared);
  REQUIRE(shared1);
  REQUIRE(shared2);
  CHECK_FALSE(builder::lock_cache_dir(dir, builder::CacheSharing::priv));
  shared1.reset();
  shared2.reset();
  std::optional<core::UniqueFd> alone = builder::lock_cache_dir(dir, builder::CacheSharing::priv);
  CHECK(alone);
  CHECK(builder::parse_cache_sharing("locked") == builder::CacheSharing::locked);
  CHECK(builder::parse_cache_sharing("") == builder::CacheSharing::shared);
}
