// `cbuild build [-t NAME]... [-f Dockerfile] [--build-arg K=V]... CONTEXT`:
// parse the Dockerfile, plan the stages the target needs, run them with the
// step cache, store the image and tag it.
#include "builder/cli/cli.h"

#include "builder/build_graph.h"
#include "builder/build_metadata.h"
#include "builder/build_lock.h"
#include "builder/build_output.h"
#include "builder/context.h"
#include "builder/executor.h"
#include "builder/secrets.h"
#include "builder/registry_cache.h"
#include "builder/step_runner.h"
#include "core/diagnostic.h"
#include "core/error.h"
#include "core/file_util.h"
#include "core/layer_writer.h"
#include "dockerfile-parser/expand.h"
#include "dockerfile-parser/parser.h"
#include "registry/image_store.h"

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

namespace builder::cli {

namespace fs = std::filesystem;

namespace {

struct BuildFlags {
  std::vector<std::string> tags;
  std::string file;
  std::vector<std::string> build_args;
  std::string target;
  bool no_cache = false;
  std::vector<std::string> labels;
  std::string iidfile;
  std::string metadata_file;
  bool quiet = false;
  std::string compression = "gzip";
  bool explain = false;
  std::string platform;
  std::vector<std::string> secrets;
  std::vector<std::string> ssh;
  std::vector<std::string> allow;
  std::string context;
  bool pull = false;
  bool push = false;
  RegistryFlags registry;
  std::vector<std::string> cache_from;
  std::vector<std::string> cache_to;
  std::string progress = "auto";
  int jobs = 0; ///< 0: one per core
  std::vector<std::string> no_cache_filter;
  std::string network;
  std::string output;
};

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw core::InputError("cannot read Dockerfile '" + path.string() + "'");
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// "K=V" pairs; a bare "K" takes the value from our environment (Docker's rule).
std::vector<std::pair<std::string, std::string>> parse_pairs(const std::vector<std::string>& items,
                                                             const char* flag, bool from_env) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& item : items) {
    size_t eq = item.find('=');
    if (eq == std::string::npos) {
      const char* value = from_env ? std::getenv(item.c_str()) : nullptr;
      if (from_env && value == nullptr) {
        continue;
      }
      out.emplace_back(item, value ? value : "");
    } else if (eq == 0) {
      throw core::InputError(std::string(flag) + " '" + item + "': empty name");
    } else {
      out.emplace_back(item.substr(0, eq), item.substr(eq + 1));
    }
  }
  return out;
}

dockerfile::Dockerfile parse_dockerfile(const fs::path& path, const std::string& name) {
  std::string text = read_text(path);
  dockerfile::ParseResult parsed = dockerfile::parse(text, name);
  for (const core::Diagnostic& d : parsed.diagnostics) {
    std::cerr << core::render(d, text);
  }
  if (!parsed.ok()) {
    throw core::InputError("the Dockerfile has errors");
  }
  dockerfile::Dockerfile typed = dockerfile::to_instructions(parsed.ast, name, text);
  for (const core::Diagnostic& d : typed.diagnostics) {
    std::cerr << core::render(d, text);
  }
  if (!typed.ok()) {
    throw core::InputError("the Dockerfile has errors");
  }
  return typed;
}

dockerfile::DockerIgnore load_ignore(const fs::path& context, const fs::path& dockerfile) {
  std::optional<fs::path> file = dockerfile::find_dockerignore(context, dockerfile);
  if (!file) {
    return {};
  }
  std::string error;
  dockerfile::DockerIgnore ignore = dockerfile::DockerIgnore::parse(read_text(*file), error);
  if (!error.empty()) {
    throw core::InputError(file->string() + ": " + error);
  }
  return ignore;
}

/// --platform as containerd's platforms.Parse reads it: lower case, aliases
/// (x86_64, x86-64 -> amd64; aarch64 -> arm64), one component meaning an OS
/// (with the host's architecture) or an architecture (with linux).
std::string normalize_platform(std::string text) {
  for (char& c : text) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    size_t slash = text.find('/', start);
    parts.push_back(text.substr(start, slash - start));
    if (slash == std::string::npos) {
      break;
    }
    start = slash + 1;
  }
  auto arch = [](const std::string& a) -> std::string {
    if (a == "x86_64" || a == "x86-64") {
      return "amd64";
    }
    if (a == "aarch64") {
      return "arm64";
    }
    return a;
  };
  const core::Platform host = core::host_platform();
  if (parts.size() == 1) {
    if (parts[0] == "linux" || parts[0] == "windows" || parts[0] == "darwin") {
      return parts[0] + "/" + host.architecture;
    }
    return "linux/" + arch(parts[0]);
  }
  std::string out = parts[0] + "/" + arch(parts[1]);
  // amd64/v1 is plain amd64; other variants stay (and are refused below).
  if (parts.size() > 2 && !(arch(parts[1]) == "amd64" && parts[2] == "v1")) {
    out += "/" + parts[2];
  }
  return out;
}

void check_platform(const std::string& platform) {
  if (platform.empty()) {
    return;
  }
  std::string host = core::host_platform().str();
  if (normalize_platform(platform) != host) {
    throw core::InputError("--platform " + platform + ": only the host platform (" + host +
                           ") can be built; cross-building needs emulation, which cbuild "
                           "does not do");
  }
}

/// --secret, --ssh and --allow, checked before anything is built.
void apply_entitlements(const BuildFlags& flags, BuildOptions& options) {
  for (const std::string& text : flags.secrets) {
    options.secrets.add(parse_secret_flag(text));
  }
  for (const std::string& text : flags.ssh) {
    options.secrets.add(parse_ssh_flag(text));
  }
  for (const std::string& allow : flags.allow) {
    if (allow == "security.insecure") {
      options.allow_insecure = true;
    } else if (allow != "network.host") {
      throw core::InputError("--allow " + allow +
                             ": unknown entitlement (accepted: security.insecure, network.host)");
    }
  }
}

/// --progress, -j, --no-cache-filter, --network.
void apply_engine_flags(const BuildFlags& flags, BuildOptions& options) {
  auto mode = parse_progress_mode(flags.progress, ::isatty(STDERR_FILENO) != 0);
  if (!mode) {
    throw core::InputError("--progress must be auto, plain, tty or quiet");
  }
  options.progress = *mode;
  if (flags.jobs < 0) {
    throw core::InputError("-j must be at least 1");
  }
  options.jobs = flags.jobs > 0 ? static_cast<size_t>(flags.jobs)
                                : std::max(1u, std::thread::hardware_concurrency());
  for (const std::string& list : flags.no_cache_filter) {
    for (size_t start = 0; start <= list.size();) {
      size_t comma = std::min(list.find(',', start), list.size());
      if (comma > start) {
        options.no_cache_stages.insert(list.substr(start, comma - start));
      }
      start = comma + 1;
    }
  }
  if (!flags.network.empty() && flags.network != "none" && flags.network != "host" &&
      flags.network != "default") {
    throw core::InputError("--network must be none, host or default");
  }
  options.network = flags.network;
}

int run_build(const BuildFlags& flags, const GlobalOptions& global) {
  check_platform(flags.platform);
  auto compression = core::parse_compression(flags.compression);
  if (!compression) {
    throw core::InputError("--compression must be gzip, zstd or none");
  }
  fs::path context_dir = fs::absolute(flags.context);
  fs::path dockerfile_path =
      flags.file.empty() ? context_dir / "Dockerfile" : fs::absolute(flags.file);
  std::string name = flags.file.empty() ? "Dockerfile" : flags.file;
  dockerfile::Dockerfile file = parse_dockerfile(dockerfile_path, name);

  std::vector<registry::Reference> tags;
  for (const std::string& tag : flags.tags) {
    tags.push_back(registry::parse_reference(tag));
  }
  dockerfile::ArgInputs inputs;
  auto build_args = parse_pairs(flags.build_args, "--build-arg", true);
  for (const auto& [key, value] : build_args) {
    inputs.build_args.set(key, value);
  }
  core::Platform host = core::host_platform();
  dockerfile::Platform platform{host.os, host.architecture, host.variant};
  inputs.platform = dockerfile::platform_args(platform, platform);
  BuildGraph graph = plan_build(file, flags.target, inputs);
  for (const std::string& spec : flags.cache_to) {
    parse_cache_spec(spec, "--cache-to"); // a typo must not wait for the build to end
  }
  if (flags.push && tags.empty()) {
    throw core::InputError("--push needs at least one -t NAME to push to");
  }
  std::optional<OutputSpec> output;
  if (!flags.output.empty()) {
    output = parse_output(flags.output);
  }

  registry::ImageStore store(store_root(global));
  BuildLock lock = lock_for_build(
      store.root(), [] { std::cerr << "waiting for a running cbuild prune to finish...\n"; });
  std::string id_text =
      context_dir.string() + "\n" + dockerfile_path.string() + "\n" + flags.target;
  std::string build_id(core::sha256_of(id_text).hex());
  BuildContext context(context_dir, load_ignore(context_dir, dockerfile_path),
                       store.root() / "cache" / "context" / (build_id.substr(0, 32) + ".stat"));

  BuildOptions options;
  options.build_id = build_id;
  options.dockerfile_name = name;
  for (const auto& [key, value] : parse_pairs(flags.labels, "--label", false)) {
    options.labels[key] = value;
  }
  options.compression = *compression;
  options.source_date_epoch = source_date_epoch_for(build_args);
  options.no_cache = flags.no_cache;
  options.explain = flags.explain;
  options.quiet = flags.quiet;
  apply_entitlements(flags, options);
  options.base = {.pull = flags.pull, .quiet = flags.quiet,
                  .client = client_options(flags.registry)};
  CacheImports imports =
      import_caches(store, flags.cache_from, options.base.client, flags.quiet);
  options.fetch_layers = imports.fetch;
  apply_engine_flags(flags, options);
  std::set<std::string> no_cache_indexes; // names resolved as FROM … AS matches them
  for (const std::string& stage : options.no_cache_stages) {
    auto index = find_stage(file, stage, file.stages.size());
    if (!index) {
      throw core::InputError("--no-cache-filter: no stage named '" + stage + "' in " + name);
    }
    no_cache_indexes.insert(std::to_string(*index));
  }
  options.no_cache_stages = no_cache_indexes;

  SandboxStepRunner runner;
  auto start = std::chrono::steady_clock::now();
  std::optional<BuildResult> built;
  try {
    built = execute_build(store, file, graph, context, runner, options, std::cerr);
  } catch (const StepFailure& e) {
    std::cerr << "cbuild: error: " << e.what() << "\n";
    return 1;
  }
  const BuildResult& result = *built;
  for (const registry::Reference& tag : tags) {
    std::optional<core::Descriptor> current = store.find(tag.str());
    if (!current || current->digest != result.manifest.digest) {
      store.tag(result.manifest, tag); // a no-op rebuild leaves index.json alone
    }
  }
  if (output) {
    std::vector<std::string> names;
    for (const registry::Reference& tag : tags) {
      names.push_back(tag.familiar());
    }
    write_output(store, result.manifest, *output, names);
  }
  const bool stdout_taken = output && output->dest == "-"; // it carries the output alone
  if (!flags.iidfile.empty()) {
    core::write_file_atomic(flags.iidfile, result.image_id.str());
  }
  if (!flags.metadata_file.empty()) {
    core::write_file_atomic(flags.metadata_file, build_metadata(result, tags).dump(2) + "\n");
  }
  if (flags.push) {
    push_tags(store, result.manifest, tags, flags.registry, flags.quiet);
  }
  export_caches(store, flags.cache_to, build_id, result.manifest, options.base.client,
                flags.quiet);
  if (flags.quiet) {
    if (!stdout_taken) {
      std::cout << result.image_id.str() << "\n";
    }
    return 0;
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cerr << "#"
            << "done: " << result.executed << " steps run, " << result.cached << " cached in "
            << static_cast<int>(seconds * 10) / 10.0 << "s\n";
  std::cerr << "writing image " << result.image_id.str() << "\n";
  for (const registry::Reference& tag : tags) {
    std::cerr << "naming to " << tag.str() << "\n";
  }
  if (!stdout_taken) {
    std::cout << result.image_id.str() << "\n";
  }
  return 0;
}

} // namespace

void add_build_command(CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto flags = std::make_shared<BuildFlags>();
  CLI::App* cmd = app.add_subcommand("build", "Build an image from a Dockerfile");
  cmd->add_option("-t,--tag", flags->tags, "Name the image (repeatable)");
  cmd->add_option("-f,--file", flags->file, "Dockerfile (default CONTEXT/Dockerfile)");
  cmd->add_option("--build-arg", flags->build_args, "Set a build arg: NAME=VALUE (repeatable)");
  cmd->add_option("--target", flags->target, "Build this stage (default: the last)");
  cmd->add_flag("--no-cache", flags->no_cache, "Run every step, ignoring the cache");
  cmd->add_option("--label", flags->labels, "Set a label on the image: KEY=VALUE (repeatable)");
  cmd->add_option("--iidfile", flags->iidfile, "Write the image id to this file");
  cmd->add_option("--metadata-file", flags->metadata_file,
                  "Write the image and config digests and the tags as JSON (buildx's keys)");
  cmd->add_flag("-q,--quiet", flags->quiet, "Print only the image id");
  cmd->add_option("--compression", flags->compression, "Layer compression: gzip, zstd, none")
      ->capture_default_str();
  cmd->add_flag("--explain", flags->explain, "Say why each step missed the cache");
  cmd->add_option("--platform", flags->platform, "Target platform (only the host's)");
  cmd->add_option("--secret", flags->secrets,
                  "Give RUN --mount=type=secret a secret: id=ID,src=FILE or id=ID,env=VAR "
                  "(repeatable)");
  cmd->add_option("--ssh", flags->ssh,
                  "Forward an ssh agent socket to RUN --mount=type=ssh: default[=SOCKET] or "
                  "ID=SOCKET (repeatable)");
  cmd->add_option("--allow", flags->allow,
                  "Grant an entitlement: security.insecure (RUN --security=insecure), "
                  "network.host (repeatable)");
  cmd->add_flag("--pull", flags->pull, "Pull FROM images even when the store has them");
  cmd->add_flag("--push", flags->push, "Push every -t name to its registry after the build");
  add_registry_flags(*cmd, flags->registry);
  cmd->add_option("--cache-from", flags->cache_from,
                  "Import a build cache: type=registry,ref=NAME[:TAG] (repeatable)");
  cmd->add_option("--cache-to", flags->cache_to,
                  "Export the build cache: type=registry,ref=NAME[:TAG][,mode=min|max]");
  cmd->add_option("--progress", flags->progress, "auto, plain, tty or quiet")
      ->capture_default_str();
  cmd->add_option("-j,--jobs", flags->jobs, "Stages built at once (default: one per core)");
  cmd->add_option("--no-cache-filter", flags->no_cache_filter,
                  "Do not use the cache for these stages: STAGE[,STAGE] (names or indexes)");
  cmd->add_option("--network", flags->network, "Network of RUN steps: default, host, none");
  cmd->add_option("-o,--output", flags->output,
                  "Also write the result: type=oci|oci-layout|docker|local|tar,dest=PATH[,name=N]; "
                  "`-` is a tar of the file system on stdout, a bare path type=local");
  cmd->add_option("context", flags->context, "Build context directory")->required();
  cmd->callback([flags, &global, &exit_code] { exit_code = run_build(*flags, global); });
}

} // namespace builder::cli
