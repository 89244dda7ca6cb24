// The plan side of the sandbox: no namespaces needed.
#include "builder/sandbox/capabilities.h"
#include "builder/sandbox/image_process.h"
#include "builder/sandbox/sandbox_spec.h"
#include "builder/sandbox/seccomp.h"
#include "builder/sandbox/setup_plan.h"
#include "builder/sandbox/user_db.h"

#include "core/error.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>

#include <sys/stat.h>
#include <sys/sysmacros.h>

using namespace builder::sandbox;

namespace {

std::ptrdiff_t index_of(const std::vector<SetupOp>& ops, const std::string& description) {
  auto it = std::find_if(ops.begin(), ops.end(),
                         [&](const SetupOp& op) { return op.description == description; });
  return it == ops.end() ? -1 : it - ops.begin();
}

std::vector<SetupOp> plan_for(const SandboxSpec& spec) {
  SetupContext context{"/run/merged", "/run/etc", "/run/mountpoints:/layers/1", true, nullptr, {}};
  return plan_setup(spec, context);
}

} // namespace

TEST_CASE("default capabilities are Docker's 14", "[sandbox]") {
  CapSet set = default_capabilities();
  CHECK(set.bits == 0xa80425fbULL);
  CHECK(capability_names(set).size() == 14);
  CHECK(capability_names(set).front() == "CAP_CHOWN");
}

TEST_CASE("capability names parse in Docker's spellings", "[sandbox]") {
  CHECK(capability_from_name("CHOWN") == 0);
  CHECK(capability_from_name("cap_sys_admin") == 21);
  CHECK(capability_from_name("CAP_NET_ADMIN") == 12);
  CHECK_FALSE(capability_from_name("FLY"));
  CHECK(capability_name(21) == "CAP_SYS_ADMIN");
}

TEST_CASE("resolve_capabilities applies drop, then add, like Docker", "[sandbox]") {
  CapSet dropped = resolve_capabilities({}, {"CHOWN"}, false);
  CHECK_FALSE(dropped.has(0));
  CHECK(dropped.bits == (0xa80425fbULL & ~1ULL));

  CapSet only_kill = resolve_capabilities({"KILL"}, {"ALL"}, false);
  CHECK(only_kill.bits == (1ULL << 5));

  CapSet admin = resolve_capabilities({"SYS_ADMIN"}, {}, false);
  CHECK(admin.has(21));

  CHECK(resolve_capabilities({}, {}, true) == all_capabilities());
  CHECK_THROWS_AS(resolve_capabilities({"FLY"}, {}, false), core::InputError);
}

TEST_CASE("seccomp profile parses Docker's JSON format", "[sandbox]") {
  auto profile = parse_seccomp_profile(R"({
    "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
    "architectures": ["SCMP_ARCH_X86_64"],
    "syscalls": [
      {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
      {"names": ["socket"], "action": "SCMP_ACT_ALLOW",
       "args": [{"index": 0, "value": 40, "valueTwo": 0, "op": "SCMP_CMP_NE"}]},
      {"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
      {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38,
       "excludes": {"caps": ["CAP_SYS_ADMIN"]}}
    ]})",
                                       "inline");
  CHECK(profile.default_action == "SCMP_ACT_ERRNO");
  REQUIRE(profile.rules.size() == 4);
  CHECK(profile.rules[0].names == std::vector<std::string>{"read", "write"});
  CHECK(profile.rules[1].args.at(0).op == "SCMP_CMP_NE");
  CHECK(profile.rules[1].args.at(0).value == 40);
  CHECK(profile.rules[2].include_caps == std::vector<std::string>{"CAP_SYS_ADMIN"});
  CHECK(profile.rules[3].errno_ret == 38);
  CHECK_FALSE(compile_seccomp(profile, default_capabilities()).empty());
}

TEST_CASE("seccomp profile errors name the file", "[sandbox]") {
  try {
    parse_seccomp_profile("{\"syscalls\": []}", "bad.json");
    FAIL("expected an error");
  } catch (const core::InputError& e) {
    CHECK(std::string(e.what()).rfind("seccomp profile 'bad.json': ", 0) == 0);
  }
  auto unknown = parse_seccomp_profile(
      R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["chmod"], "action": "SCMP_ACT_NOTIFY"}]})",
      "x");
  CHECK_THROWS_AS(compile_seccomp(unknown, {}), core::InputError);
}

TEST_CASE("default seccomp profile gates mount and unshare on CAP_SYS_ADMIN", "[sandbox]") {
  auto profile = default_seccomp_profile();
  bool mount_gated = false;
  bool keyctl_allowed = false;
  for (const auto& rule : profile.rules) {
    bool has_mount = std::count(rule.names.begin(), rule.names.end(), "mount") > 0;
    bool has_unshare = std::count(rule.names.begin(), rule.names.end(), "unshare") > 0;
    if (has_mount || has_unshare) {
      mount_gated = rule.include_caps == std::vector<std::string>{"CAP_SYS_ADMIN"};
    }
    keyctl_allowed = keyctl_allowed || std::count(rule.names.begin(), rule.names.end(), "keyctl");
  }
  CHECK(mount_gated);
  CHECK_FALSE(keyctl_allowed);
  // Without CAP_SYS_ADMIN the program is smaller than with it (fewer allowed calls).
  CapSet with_admin = default_capabilities();
  with_admin.add(21);
  CHECK(compile_seccomp(profile, with_admin).size() !=
        compile_seccomp(profile, default_capabilities()).size());
}

TEST_CASE("SandboxSpec prints as JSON", "[sandbox]") {
  SandboxSpec spec = default_spec();
  spec.argv = {"sh", "-c", "true"};
  spec.network = NetworkMode::none;
  spec.limits.memory_bytes = 256 * 1024 * 1024;
  spec.rootfs.lower_dirs = {"/layers/1"};
  auto json = nlohmann::json::parse(to_json(spec));
  CHECK(json["argv"][2] == "true");
  CHECK(json["network"] == "none");
  CHECK(json["namespaces"]["net"] == true);
  CHECK(json["limits"]["memory_bytes"] == 268435456);
  CHECK(json["limits"]["pids_max"].is_null());
  CHECK(json["capabilities"].size() == 14);
  CHECK(json["seccomp"] == "default");
  CHECK(json["rootfs"]["lower_dirs"][0] == "/layers/1");
}

TEST_CASE("setup plan applies steps in the order the kernel requires", "[sandbox]") {
  SandboxSpec spec = default_spec();
  spec.rootfs.lower_dirs = {"/layers/1"};
  spec.rootfs.upper_dir = "/up";
  spec.rootfs.work_dir = "/wk";
  spec.mounts.push_back({MountType::bind, "/host/data", "/data", true, ""});
  auto ops = plan_for(spec);
  auto overlay = index_of(ops, "mount overlay on /run/merged");
  auto clone_null = index_of(ops, "bind /dev/null");
  auto clone_data = index_of(ops, "bind /host/data");
  auto pivot = index_of(ops, "pivot_root into /run/merged");
  auto proc = index_of(ops, "mount proc on /proc");
  auto attach_data = index_of(ops, "bind /host/data on /data");
  auto mask = index_of(ops, "mask /proc/kcore");
  auto ro = index_of(ops, "make /proc/sys read-only");
  REQUIRE(overlay >= 0);
  CHECK(index_of(ops, "make / private") < overlay);
  // Host paths are opened before pivot_root, attached after it.
  CHECK(overlay < clone_null);
  CHECK(clone_data < pivot);
  // proc is mounted while the host's is still visible (user namespaces need it).
  CHECK(overlay < proc);
  CHECK(proc < pivot);
  CHECK(ops[static_cast<std::size_t>(proc)].target == "/run/merged/proc");
  CHECK(pivot < attach_data);
  CHECK(pivot < mask);
  CHECK(pivot < ro);
  CHECK(ops[static_cast<std::size_t>(overlay)].data ==
        "lowerdir=/run/mountpoints:/layers/1,upperdir=/up,workdir=/wk");
  using Option = std::pair<std::string, std::string>;
  CHECK(ops[static_cast<std::size_t>(overlay)].options ==
        std::vector<Option>{{"lowerdir+", "/run/mountpoints"},
                            {"lowerdir+", "/layers/1"},
                            {"upperdir", "/up"},
                            {"workdir", "/wk"}});
  CHECK(ops[static_cast<std::size_t>(clone_data)].read_only);
  CHECK(index_of(ops, "bring up lo") == -1);

  SECTION("privileged has no masked or read-only /proc paths") {
    spec.privileged = true;
    auto privileged = plan_for(spec);
    CHECK(index_of(privileged, "mask /proc/kcore") == -1);
    CHECK(index_of(privileged, "make /proc/sys read-only") == -1);
  }
  SECTION("privileged creates the host's devices in the sandbox's /dev") {
    spec.privileged = true;
    SetupContext context{"/run/merged",
                         "/run/etc",
                         "/run/mountpoints:/layers/1",
                         true,
                         nullptr,
                         {{"kvm", S_IFCHR | 0660, makedev(10, 232), 0, 36},
                          {"net/tun", S_IFCHR | 0666, makedev(10, 200), 0, 0}}};
    auto privileged = plan_setup(spec, context);
    auto dev = index_of(privileged, "mount tmpfs on /dev");
    auto kvm = index_of(privileged, "create device /dev/kvm");
    auto net = index_of(privileged, "create /dev/net");
    auto tun = index_of(privileged, "create device /dev/net/tun");
    REQUIRE(kvm >= 0);
    CHECK(pivot < dev);
    CHECK(dev < kvm);
    CHECK(kvm < net);
    CHECK(net < tun);
    const SetupOp& op = privileged[static_cast<std::size_t>(kvm)];
    CHECK(op.kind == OpKind::make_device);
    CHECK(op.device == makedev(10, 232));
    CHECK(op.mode == (S_IFCHR | 0660));
    CHECK(op.gid == 36);

    SECTION("in a user namespace they are bind mounts of the host's nodes") {
      spec.namespaces.user = true;
      auto rootless = plan_setup(spec, context);
      CHECK(index_of(rootless, "create device /dev/kvm") == -1);
      CHECK(index_of(rootless, "bind /dev/kvm") <
            index_of(rootless, "pivot_root into /run/merged"));
      CHECK(index_of(rootless, "bind /dev/net/tun on /dev/net/tun") >
            index_of(rootless, "create /dev/net"));
    }
  }
  SECTION("network none brings up lo") {
    spec.network = NetworkMode::none;
    CHECK(index_of(plan_for(spec), "bring up lo") >= 0);
  }
}

TEST_CASE("host devices are listed as Docker gives them to --privileged", "[sandbox]") {
  auto devices = list_host_devices("/dev");
  auto has = [&](const std::string& path) {
    return std::any_of(devices.begin(), devices.end(),
                       [&](const HostDevice& d) { return d.path == path; });
  };
  // Every sandbox has these already, or Docker leaves them out.
  for (const char* path : {"null", "zero", "tty", "ptmx", "console", "pts/ptmx"}) {
    CHECK_FALSE(has(path));
  }
  for (const auto& dev : devices) {
    struct stat st {};
    REQUIRE(::lstat(("/dev/" + dev.path).c_str(), &st) == 0);
    CHECK((S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)));
    CHECK(st.st_rdev == dev.device);
  }
}

TEST_CASE("resolve_user reads passwd and group like runc", "[sandbox]") {
  const char* passwd = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n";
  const char* group = "root:x:0:\nwheel:x:10:app,other\napp:x:1000:\nstaff:x:50:\n";
  auto root = resolve_user("", passwd, group);
  CHECK(root.uid == 0);
  CHECK(root.home == "/root");
  auto app = resolve_user("app", passwd, group);
  CHECK(app.uid == 1000);
  CHECK(app.gid == 1000);
  CHECK(app.groups == std::vector<gid_t>{10});
  CHECK(app.home == "/home/app");
  auto by_id = resolve_user("1000:staff", passwd, group);
  CHECK(by_id.uid == 1000);
  CHECK(by_id.gid == 50);
  CHECK(by_id.groups.empty()); // an explicit group: no supplementary groups
  auto uid_only = resolve_user("1000", passwd, group);
  CHECK(uid_only.gid == 1000);
  CHECK(uid_only.groups == std::vector<gid_t>{10}); // the uid's entry gives its memberships
  CHECK(uid_only.home == "/home/app");
  // a numeric user is a uid, even where a user has that name
  auto named_digits = resolve_user("77", "77:x:1000:1000::/n:/bin/sh\n", group);
  CHECK(named_digits.uid == 77);
  CHECK(named_digits.gid == 0);
  auto numeric = resolve_user("4242:4343", passwd, group);
  CHECK(numeric.uid == 4242);
  CHECK(numeric.gid == 4343);
  CHECK(numeric.home == "/");
  CHECK_THROWS_AS(resolve_user("ghost", passwd, group), core::InputError);
  CHECK_THROWS_AS(resolve_user("app:ghosts", passwd, group), core::InputError);
}

TEST_CASE("resolve_process merges image config and run flags like docker run", "[sandbox]") {
  ImageRunConfig image;
  image.entrypoint = {"/entry.sh"};
  image.cmd = {"serve", "--port", "80"};
  image.env = {"PATH=/app/bin:/bin", "MODE=prod"};
  image.working_dir = "/app";
  image.user = "app";

  RunOverrides none;
  auto plain = resolve_process(image, none);
  CHECK(plain.argv == std::vector<std::string>{"/entry.sh", "serve", "--port", "80"});
  CHECK(plain.cwd == "/app");
  CHECK(plain.user == "app");

  RunOverrides args;
  args.cmd = {"migrate"};
  args.env = {"MODE=dev", "EXTRA=1"};
  args.user = "root";
  auto with_args = resolve_process(image, args);
  CHECK(with_args.argv == std::vector<std::string>{"/entry.sh", "migrate"});
  CHECK(with_args.env == std::vector<std::string>{"PATH=/app/bin:/bin", "MODE=dev", "EXTRA=1"});
  CHECK(with_args.user == "root");

  RunOverrides entry;
  entry.entrypoint = "sh";
  auto replaced = resolve_process(image, entry);
  CHECK(replaced.argv == std::vector<std::string>{"sh"}); // the image's CMD is dropped

  ImageRunConfig empty;
  CHECK_THROWS_AS(resolve_process(empty, none), core::InputError);
  empty.cmd = {"true"};
  auto defaults = resolve_process(empty, none);
  CHECK(defaults.env.front().rfind("PATH=", 0) == 0);
  CHECK(defaults.cwd == "/");
}

TEST_CASE("parse_memory_size takes Docker's units", "[sandbox]") {
  CHECK(parse_memory_size("256m") == 256 * 1024 * 1024);
  CHECK(parse_memory_size("1g") == 1024LL * 1024 * 1024);
  CHECK(parse_memory_size("64MB") == 64 * 1024 * 1024);
  CHECK(parse_memory_size("4096") == 4096);
  CHECK_FALSE(parse_memory_size("lots"));
  CHECK_FALSE(parse_memory_size("12q"));
}
