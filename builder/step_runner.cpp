#include "builder/step_runner.h"

#include "builder/sandbox/sandbox.h"
#include "core/error.h"
#include "core/unique_fd.h"

#include <fcntl.h>
#include <unistd.h>

namespace builder {

RunOutcome SandboxStepRunner::run(const RunRequest& request) {
  sandbox::SandboxSpec spec = sandbox::default_spec();
  spec.rootfs.lower_dirs = request.lower_dirs;
  spec.rootfs.upper_dir = request.upper_dir;
  spec.rootfs.work_dir = request.work_dir;
  spec.argv = request.argv;
  spec.env = request.env;
  spec.cwd = request.cwd.empty() ? "/" : request.cwd;
  spec.user = request.user;
  spec.network = request.network_none ? sandbox::NetworkMode::none : sandbox::NetworkMode::host;
  spec.mounts = request.mounts;
  if (request.insecure) {
    spec.privileged = true;
    spec.capabilities = sandbox::all_capabilities();
    spec.seccomp.mode = sandbox::SeccompSetting::Mode::unconfined;
  }

  // Output goes to an unlinked temp file, read back after the command ends:
  // no second thread may exist while the sandbox clones (a thread holding a
  // libc lock at that moment would deadlock the child).
  core::UniqueFd out(
      ::open(request.upper_dir.parent_path().c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
  if (!out) {
    core::throw_errno("create output file in", request.upper_dir.parent_path().string());
  }
  core::UniqueFd null_in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  sandbox::SandboxResult result = sandbox::run_sandbox(
      spec,
      {.in_fd = null_in.get(), .out_fd = out.get(), .err_fd = out.get(), .interactive = false});
  if (request.on_output) {
    char buffer[8192];
    for (off_t offset = 0;;) {
      ssize_t n = ::pread(out.get(), buffer, sizeof buffer, offset);
      if (n <= 0) {
        break;
      }
      request.on_output(std::string_view(buffer, static_cast<size_t>(n)));
      offset += n;
    }
  }
  return {result.status_code(), result.describe()};
}

} // namespace builder
