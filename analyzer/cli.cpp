// cscan's command line: flags to options, then one call per subcommand.
#include "analyzer/cli.h"

#include "analyzer/cli_commands.h"
#include "analyzer/image_loader.h"
#include "analyzer/report.h"
#ifdef CSCAN_HAVE_SECRETS
#include "analyzer/secret_scan.h"
#endif
#include "analyzer/version.h"
#include "core/error.h"
#include "core/stream.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <unistd.h>

namespace analyzer {
namespace {

struct ScanFlags {
  std::string image;
  std::string format = "text";
  std::string output;
  std::string dockerfile;
  std::string policy_file;
  std::string baseline;
  std::string write_baseline;
  std::string fail_on;
  std::string lowest_efficiency, highest_wasted_bytes, highest_user_wasted_percent;
  std::string max_image_size;
  std::vector<std::string> disable;
  std::string color = "auto";
  std::size_t max_items = 20;
  unsigned threads = 0;
  bool no_progress = false;
  bool no_secrets = false;
  bool show_secrets = false;
  std::string rules_file;
  std::string store;
};

struct CommonFlags {
  std::string image;
  std::string store;
  unsigned threads = 0;
  bool no_progress = false;
};

bool stderr_is_tty() {
  return isatty(STDERR_FILENO) == 1;
}

/// cbuild's store for image names (--store); empty = the default root.
std::string g_store_root;

Image load(const std::string& spec, unsigned threads, bool progress,
           const ContentHook* hook = nullptr) {
  LoadOptions options;
  options.store_root = g_store_root;
  options.threads = threads;
  options.show_progress = progress && stderr_is_tty();
  options.scan.hook = hook;
  return load_image(spec, options);
}

#ifdef CSCAN_HAVE_SECRETS
/// A disabled "secret/<id>" (flag or policy) must name one of the scanner's rules.
void check_secret_rules(const Policy& policy, const SecretScan& secrets) {
  std::vector<DynamicRule> catalog = secrets.catalog();
  for (const std::string& rule : policy.disabled_rules) {
    if (rule.starts_with("secret/") &&
        std::none_of(catalog.begin(), catalog.end(),
                     [&](const DynamicRule& known) { return known.id == rule; }))
      throw core::InputError("disabled rule: unknown secret rule '" + rule +
                             "' (see `cscan rules`)");
  }
}
#endif

/// Loads and analyses, with the secret scanner unless `no_secrets`.
std::pair<Image, Analysis> load_and_analyze(const ScanFlags& flags, const Policy& policy,
                                            bool progress) {
#ifdef CSCAN_HAVE_SECRETS
  if (!flags.no_secrets) {
    SecretScan secrets({.rules_file = flags.rules_file, .show_secrets = flags.show_secrets});
    for (const std::string& warning : secrets.warnings())
      std::fprintf(stderr, "cscan: warning: %s\n", warning.c_str());
    check_secret_rules(policy, secrets);
    ContentHook hook = secrets.hook();
    Image image = load(flags.image, flags.threads, progress, &hook);
    secrets.scan_config(image.info); // masks config secrets before any message quotes them
    Analysis analysis = analyze(image);
    secrets.finish(image, analysis);
    return {std::move(image), std::move(analysis)};
  }
#endif
  (void)policy;
  if (!flags.rules_file.empty() || flags.show_secrets)
    throw core::InputError("--rules and --show-secrets need the secret scanner (no --no-secrets)");
  Image image = load(flags.image, flags.threads, progress);
  Analysis analysis = analyze(image);
  return {std::move(image), std::move(analysis)};
}

/// Applies one threshold flag on top of the policy file, dive-style values.
void override_policy(Policy& policy, const ScanFlags& flags) {
  std::string yaml;
  auto add = [&](const char* key, const std::string& value) {
    if (!value.empty())
      yaml += std::string(key) + ": \"" + value + "\"\n";
  };
  add("lowestEfficiency", flags.lowest_efficiency);
  add("highestWastedBytes", flags.highest_wasted_bytes);
  add("highestUserWastedPercent", flags.highest_user_wasted_percent);
  add("maxImageSize", flags.max_image_size);
  add("failOn", flags.fail_on);
  if (yaml.empty() && flags.disable.empty())
    return;
  for (const std::string& rule : flags.disable) {
    if (find_rule(rule) == nullptr && !rule.starts_with("secret/"))
      throw core::InputError("--disable: unknown rule '" + rule + "' (see `cscan rules`)");
    policy.disabled_rules.insert(rule);
  }
  Policy flags_policy = parse_policy(yaml, "command line");
  if (!flags.lowest_efficiency.empty())
    policy.lowest_efficiency = flags_policy.lowest_efficiency;
  if (!flags.highest_wasted_bytes.empty())
    policy.highest_wasted_bytes = flags_policy.highest_wasted_bytes;
  if (!flags.highest_user_wasted_percent.empty())
    policy.highest_user_wasted_percent = flags_policy.highest_user_wasted_percent;
  if (!flags.max_image_size.empty())
    policy.max_image_size = flags_policy.max_image_size;
  if (!flags.fail_on.empty())
    policy.fail_on = flags_policy.fail_on;
}

Policy resolve_policy(const ScanFlags& flags) {
  Policy policy;
  if (!flags.policy_file.empty())
    policy = load_policy(flags.policy_file);
  else if (std::filesystem::exists(".cscan.yaml"))
    policy = load_policy(".cscan.yaml");
  override_policy(policy, flags);
  return policy;
}

std::string read_text_file(const std::string& path) {
  core::FdInputStream in = core::FdInputStream::open(path);
  return core::read_all(in, path, 4 << 20);
}

void write_output(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return;
  }
  core::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd)
    core::throw_errno("open", path);
  core::FdOutputStream out(std::move(fd), path);
  out.write(text);
  out.finish();
}

bool use_color(const ScanFlags& flags) {
  if (flags.color == "always")
    return true;
  if (flags.color == "never" || !flags.output.empty() || std::getenv("NO_COLOR") != nullptr)
    return false;
  return isatty(STDOUT_FILENO) == 1;
}

int run_scan(const ScanFlags& flags) {
  Policy policy = resolve_policy(flags);
  std::optional<Baseline> baseline;
  if (!flags.baseline.empty())
    baseline = load_baseline(flags.baseline);
  bool machine_format = flags.format == "json" || flags.format == "sarif";
  auto [image, analysis] = load_and_analyze(flags, policy, !flags.no_progress && !machine_format);
  apply_policy_filters(policy, baseline ? &*baseline : nullptr, analysis.findings);
  if (!flags.write_baseline.empty())
    write_output(flags.write_baseline, baseline_json(analysis.findings));
  GateResult gate = evaluate_gate(policy, analysis);
  std::optional<DockerfileMap> dockerfile;
  if (!flags.dockerfile.empty())
    dockerfile.emplace(read_text_file(flags.dockerfile), image.info);
  ReportInput input{image,
                    analysis,
                    gate,
                    dockerfile ? &*dockerfile : nullptr,
                    flags.dockerfile,
                    use_color(flags),
                    flags.max_items};
  std::string text = flags.format == "json"       ? render_json(input)
                     : flags.format == "sarif"    ? render_sarif(input)
                     : flags.format == "markdown" ? render_markdown(input)
                                                  : render_text(input);
  write_output(flags.output, text);
  return gate.passed() ? k_exit_pass : k_exit_policy_failed;
}

void add_scan_flags(CLI::App& scan, ScanFlags& flags) {
  scan.add_option("image", flags.image,
                  "image.tar, oci:DIR[:REF], oci-archive:FILE, docker-archive:FILE, registry://REF")
      ->required();
  scan.add_option("--format,-f", flags.format, "text, json, sarif or markdown")
      ->check(CLI::IsMember({"text", "json", "sarif", "markdown"}));
  scan.add_option("--output,-o", flags.output, "write the report to FILE instead of stdout");
  scan.add_option("--dockerfile", flags.dockerfile,
                  "point SARIF findings at this Dockerfile's lines");
  scan.add_option("--policy", flags.policy_file, "policy file (default: .cscan.yaml if present)");
  scan.add_option("--baseline", flags.baseline, "accepted finding fingerprints (JSON)");
  scan.add_option("--write-baseline", flags.write_baseline,
                  "write all current findings as a baseline");
  scan.add_option("--fail-on", flags.fail_on,
                  "fail on findings at or above: info, low, medium, high, critical, never");
  scan.add_option("--lowestEfficiency,--lowest-efficiency", flags.lowest_efficiency,
                  "dive: fail below this efficiency (0..1)");
  scan.add_option("--highestWastedBytes,--highest-wasted-bytes", flags.highest_wasted_bytes,
                  "dive: fail above these wasted bytes (e.g. 20MB)");
  scan.add_option("--highestUserWastedPercent,--highest-user-wasted-percent",
                  flags.highest_user_wasted_percent,
                  "dive: fail above this user-wasted ratio (0..1)");
  scan.add_option("--max-image-size", flags.max_image_size,
                  "fail above this image size (e.g. 500MB)");
  scan.add_option("--disable", flags.disable, "disable a rule (repeatable)");
  scan.add_option("--color", flags.color, "auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  scan.add_option("--max-items", flags.max_items, "findings listed in text/markdown (default 20)");
  scan.add_option("--threads,-j", flags.threads, "layer reader threads (default: one per core)");
  scan.add_flag("--no-progress", flags.no_progress, "no progress line on stderr");
  scan.add_flag("--no-secrets", flags.no_secrets, "do not run the secret scanner");
  scan.add_option("--rules", flags.rules_file,
                  "secret rules in gitleaks' TOML format: [extend] useDefault adds to the "
                  "built-in rules, otherwise they replace them");
  scan.add_flag("--show-secrets", flags.show_secrets,
                "print secrets unmasked (local debugging only, never in CI logs)");
  scan.add_option("--store", flags.store,
                  "cbuild's image store for image names (default: cbuild's)");
}

void add_common(CLI::App& command, CommonFlags& flags) {
  command.add_option("image", flags.image, "the image")->required();
  command.add_option("--threads,-j", flags.threads, "layer reader threads");
  command.add_flag("--no-progress", flags.no_progress, "no progress line on stderr");
  command.add_option("--store", flags.store, "cbuild's image store for image names");
}

/// Without a subcommand, `cscan IMAGE ...` means `cscan scan IMAGE ...`.
std::vector<std::string> with_default_command(int argc, char** argv) {
  static const char* const k_commands[] = {"scan",    "layers", "tree", "history",
                                           "inspect", "diff",   "rules"};
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty()) {
    const std::string& first = args.front();
    bool is_command =
        std::find(std::begin(k_commands), std::end(k_commands), first) != std::end(k_commands);
    bool is_global = first == "--help" || first == "-h" || first == "--version";
    if (!is_command && !is_global)
      args.insert(args.begin(), "scan");
  }
  std::reverse(args.begin(), args.end()); // CLI11 takes them reversed
  return args;
}

} // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"cscan: take a container image apart, find waste and risky settings, gate CI"};
  app.set_version_flag("--version", std::string(version()));
  app.require_subcommand(1);
  ScanFlags scan_flags;
  add_scan_flags(*app.add_subcommand("scan", "analyse an image and report (the default)"),
                 scan_flags);
  CommonFlags common;
  auto* layers = app.add_subcommand("layers", "one line a layer: size, files, instruction");
  add_common(*layers, common);
  auto* tree = app.add_subcommand("tree", "the merged file tree");
  add_common(*tree, common);
  std::optional<std::uint32_t> tree_layer;
  std::string tree_path;
  tree->add_option("--layer", tree_layer, "the tree as of layer N, its changes marked");
  tree->add_option("path", tree_path, "only below this path");
  auto* history =
      app.add_subcommand("history", "the build history, like docker history --no-trunc");
  add_common(*history, common);
  auto* inspect = app.add_subcommand("inspect", "user, entrypoint, env (redacted), ports, ...");
  add_common(*inspect, common);
  auto* diff = app.add_subcommand("diff", "two images side by side");
  std::string other;
  std::size_t diff_items = 30;
  diff->add_option("a", common.image, "first image")->required();
  diff->add_option("b", other, "second image")->required();
  diff->add_option("--max-items", diff_items, "differing files listed");
  diff->add_option("--threads,-j", common.threads, "layer reader threads");
  auto* rules = app.add_subcommand("rules", "list the rules");
  try {
    app.parse(with_default_command(argc, argv));
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? k_exit_pass : k_exit_usage;
  }
  try {
    g_store_root = !scan_flags.store.empty() ? scan_flags.store : common.store;
    if (app.got_subcommand("scan"))
      return run_scan(scan_flags);
    if (rules->parsed()) {
      std::vector<DynamicRule> secret_rules;
#ifdef CSCAN_HAVE_SECRETS
      secret_rules = SecretScan().catalog();
#endif
      std::fputs(render_rules(secret_rules).c_str(), stdout);
      return k_exit_pass;
    }
    Image image = load(common.image, common.threads, !common.no_progress);
#ifdef CSCAN_HAVE_SECRETS
    SecretScan().scan_config(image.info); // history and inspect never print a found secret
#endif
    std::string out;
    if (layers->parsed())
      out = render_layers(image, walk_layers(image.layers));
    else if (tree->parsed())
      out = render_tree(image, tree_layer, tree_path);
    else if (history->parsed())
      out = render_history(image);
    else if (inspect->parsed())
      out = render_inspect(image);
    else if (diff->parsed()) {
      Image image_b = load(other, common.threads, !common.no_progress);
#ifdef CSCAN_HAVE_SECRETS
      SecretScan().scan_config(image_b.info);
#endif
      out = render_diff(image, analyze(image), image_b, analyze(image_b), diff_items);
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    return k_exit_pass;
  } catch (const core::Error& e) {
    std::fprintf(stderr, "cscan: error: %s\n", e.what());
    return k_exit_usage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cscan: error: %s\n", e.what());
    return k_exit_usage;
  }
}

} // namespace analyzer
