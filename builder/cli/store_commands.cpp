// cbuild du | prune: the disk space of the builder's part of the store
// (blobs, snapshots, cache records, cache mounts) and its cleanup.
#include "builder/cli/cli.h"

#include "builder/build_lock.h"
#include "builder/cli/table.h"
#include "builder/store_prune.h"
#include "core/error.h"
#include "core/time_util.h"
#include "registry/image_store.h"

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

namespace builder::cli {

namespace {

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void print_usage(const PrunePlan& plan) {
  Table table({"TYPE", "COUNT", "SIZE", "RECLAIMABLE"});
  UsagePart total;
  total.name = "total";
  for (const UsagePart& part : plan.parts) {
    table.add({part.name, std::to_string(part.count), core::human_size(part.bytes),
               core::human_size(part.reclaimable)});
    total.count += part.count;
    total.bytes += part.bytes;
    total.reclaimable += part.reclaimable;
  }
  table.add({total.name, std::to_string(total.count), core::human_size(total.bytes),
             core::human_size(total.reclaimable)});
  std::cout << table.str();
}

void add_du(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand("du", "Show the disk usage of the store and the build cache");
  cmd->footer("RECLAIMABLE is what `cbuild prune --all --cache-mounts` would free.");
  cmd->callback([&global] {
    registry::ImageStore store(store_root(global));
    PruneOptions everything;
    everything.all = true;
    everything.cache_mounts = true;
    print_usage(plan_prune(store, everything, now_seconds()));
  });
}

struct PruneFlags {
  bool all = false;
  bool cache_mounts = false;
  bool force = false;
  std::vector<std::string> filters;
};

PruneOptions prune_options(const PruneFlags& flags) {
  PruneOptions options;
  options.all = flags.all;
  options.cache_mounts = flags.cache_mounts;
  for (const std::string& filter : flags.filters) {
    std::optional<std::int64_t> seconds;
    if (filter.starts_with("until=")) {
      seconds = parse_duration(filter.substr(6));
    }
    if (!seconds) {
      throw core::InputError("--filter '" + filter +
                             "': only until=DURATION is supported (e.g. until=24h, until=90m)");
    }
    options.keep_used_within = *seconds;
  }
  return options;
}

/// docker's "Are you sure you want to continue? [y/N]"; true on y/yes.
bool confirm(const PruneOptions& options) {
  std::cerr << "WARNING! This will remove the build cache"
            << (options.keep_used_within ? " not used within the filter's time" : "")
            << (options.all ? ", every snapshot and the context stat caches" : "")
            << (options.cache_mounts ? ", and the contents of every cache mount" : "")
            << ".\nAre you sure you want to continue? [y/N] " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}

void run_prune(const PruneFlags& flags, const GlobalOptions& global) {
  PruneOptions options = prune_options(flags);
  if (!flags.force && !confirm(options)) {
    return;
  }
  registry::ImageStore store(store_root(global));
  BuildLock lock = BuildLock::acquire(store.root(), BuildLock::Mode::exclusive, [] {
    std::cerr << "waiting for running builds to finish...\n";
  });
  remove_crash_leftovers(store.root());
  PrunePlan plan = plan_prune(store, options, now_seconds());
  std::uint64_t freed = apply_prune(store, plan);
  std::cout << "Total reclaimed space: " << core::human_size(freed) << "\n";
}

void add_prune(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand("prune", "Remove the build cache (and more, with flags)");
  auto flags = std::make_shared<PruneFlags>();
  cmd->add_flag("-a,--all", flags->all,
                "Also remove every snapshot and context stat cache (tagged images stay)");
  cmd->add_flag("--cache-mounts", flags->cache_mounts,
                "Also empty the RUN --mount=type=cache directories");
  cmd->add_option("--filter", flags->filters,
                  "until=DURATION: keep cache records used within DURATION (24h, 90m)");
  cmd->add_flag("-f,--force", flags->force, "Do not ask for confirmation");
  cmd->callback([&global, flags] { run_prune(*flags, global); });
}

} // namespace

void add_store_commands(CLI::App& app, const GlobalOptions& global) {
  add_du(app, global);
  add_prune(app, global);
}

} // namespace builder::cli
