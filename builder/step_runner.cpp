#include "builder/step_runner.h"

#include "builder/sandbox/sandbox.h"
#include "builder/sandbox_process.h"

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

  // The sandbox runs in a forked child; its output streams back through a
  // pipe that this thread reads (see sandbox_process.h).
  sandbox::SandboxResult result = run_sandbox_streaming(spec, request.on_output);
  return {result.status_code(), result.describe()};
}

} // namespace builder
