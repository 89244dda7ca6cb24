#pragma once

namespace analyzer {

/// Exit codes of cscan (docs/cscan.md): the CI contract.
inline constexpr int k_exit_pass = 0;          ///< analysis done, policy passed
inline constexpr int k_exit_policy_failed = 1; ///< a threshold crossed or a finding at failOn
inline constexpr int k_exit_usage = 2;         ///< bad flag, unreadable or corrupt image

/// Runs cscan with its command line; returns the exit code. Catches every
/// error in one place and prints "cscan: error: …" on stderr.
int run_cli(int argc, char** argv);

} // namespace analyzer
