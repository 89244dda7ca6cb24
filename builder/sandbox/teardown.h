#pragma once

#include "builder/sandbox/run_dir.h"

#include <sys/types.h>

#include <memory>

namespace builder::sandbox {

/// Keeps `run_dir` until `init` (PID 1 of a finished sandbox, already reported
/// its command's end) has exited. Until then the kernel is still tearing down
/// its namespaces, whose overlay and bind mounts hold dentries of the run dir:
/// removing it would spin in the kernel until they are released (tens of ms
/// of CPU on a busy machine).
void finish_later(pid_t init, std::unique_ptr<RunDir> run_dir);

/// Reaps the PIDs 1 that have exited and removes their run dirs; never blocks.
void reap_finished_inits();

} // namespace builder::sandbox
