#include "builder/layer_steps.h"
#include "builder/base_image.h"

#include "builder/add_step.h"
#include "builder/build_graph.h"
#include "builder/cache_index.h"
#include "builder/cache_mounts.h"
#include "builder/layer_diff.h"
#include "builder/layered_path.h"
#include "builder/run_heredoc.h"
#include "builder/sandbox/user_db.h"
#include "builder/union_tree.h"
#include "builder/unlocked.h"
#include "core/error.h"
#include "core/layer_apply.h"
#include "core/media_types.h"

#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <deque>

namespace builder {

namespace fs = std::filesystem;

namespace {

constexpr size_t k_tail_lines = 15;

/// The last lines of a command's output, for the failure message.
struct OutputTail {
  std::deque<std::string> lines;

  void push(std::string line) {
    lines.push_back(std::move(line));
    if (lines.size() > k_tail_lines) {
      lines.pop_front();
    }
  }
};

std::optional<std::uint32_t> parse_number(std::string_view text, int base = 10) {
  std::uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return value;
}

std::string copy_history(const dockerfile::Instruction& ins, const dockerfile::SourcesAndDest& f) {
  std::string text = ins.keyword;
  const auto* copy = ins.as<dockerfile::CopyInstruction>();
  if (copy && copy->parents) {
    text += " --parents";
  }
  if (!f.chown.empty()) {
    text += " --chown=" + f.chown;
  }
  if (!f.chmod.empty()) {
    text += " --chmod=" + f.chmod;
  }
  for (const std::string& source : f.sources) {
    text += " " + source;
  }
  for (const dockerfile::InlineFile& file : f.inline_sources) {
    text += " <<" + file.name;
  }
  return text + " " + f.dest + " # buildkit";
}

/// RUN's argv; heredocs follow BuildKit's rules (see run_heredoc.h).
std::vector<std::string> run_argv(const dockerfile::RunInstruction& run,
                                  const core::ImageConfig& config) {
  if (!run.command.files.empty()) {
    return heredoc_run_argv(run.command, config);
  }
  return command_argv(run.command, config);
}

/// --link: the key of the layer alone. It leaves out the parent step, so the
/// layer is reused when only the image below it changed (BuildKit's rebase).
std::optional<core::Digest> link_layer_key(const CopyPlan& plan,
                                           const nlohmann::json& ingredients) {
  if (!plan.link) {
    return std::nullopt;
  }
  nlohmann::json alone = ingredients;
  alone.erase("parent");
  alone["link layer"] = true;
  alone["uid"] = plan.uid ? nlohmann::json(*plan.uid) : nlohmann::json(nullptr);
  alone["gid"] = plan.gid ? nlohmann::json(*plan.gid) : nlohmann::json(nullptr);
  return step_key(alone);
}

} // namespace

LayerSteps::LayerSteps(const registry::ImageStore& store, const dockerfile::Dockerfile& file,
                       const Snapshots& snapshots, BuildContext& context, StepRunner& runner,
                       const BuildOptions& options, std::ostream& progress)
    : m_store(store), m_file(file), m_snapshots(snapshots), m_context(context), m_runner(runner),
      m_options(options), m_progress(progress), m_link_cache(store.root() / "cache"),
      m_remote(snapshots.scratch_dir()) {}

LayerSteps::~LayerSteps() = default;

PreparedStep LayerSteps::prepare(const dockerfile::Instruction& ins, const StageState& state,
                                 const std::map<size_t, StageState>& finished,
                                 nlohmann::json& ingredients) {
  PreparedStep step;
  if (const auto* run = ins.as<dockerfile::RunInstruction>()) {
    step.kind = StepKind::layer;
    step.argv = run_argv(*run, state.config);
    step.env = run_env(state.config, state.vars);
    // RUN --network wins; else the build's --network (host and default:
    // the host's network, as BuildKit's default is)
    std::string network = run->network.empty() ? m_options.network : run->network;
    step.network_none = network == "none";
    step.history = run_history(step.argv, state.vars);
    prepare_mounts(ins, state, finished, step, ingredients);
    nlohmann::json args = nlohmann::json::object();
    for (const auto& [key, value] : state.vars.args.entries) {
      args[key] = value;
    }
    ingredients["args"] = args;
    ingredients["run"] = step.history;
    return step;
  }
  if (ins.as<dockerfile::CopyInstruction>() || ins.as<dockerfile::AddInstruction>()) {
    step.kind = StepKind::layer;
    prepare_copy(ins, state, finished, step, ingredients);
    return step;
  }
  if (const auto* wd = ins.as<dockerfile::WorkdirInstruction>()) {
    step.kind = StepKind::layer;
    core::ImageConfig probe = state.config;
    apply_workdir(wd->path, probe);
    step.history = "WORKDIR " + probe.config.working_dir;
    ingredients["workdir"] = probe.config.working_dir;
    return step;
  }
  return step;
}

void LayerSteps::prepare_copy(const dockerfile::Instruction& ins, const StageState& state,
                              const std::map<size_t, StageState>& finished, PreparedStep& step,
                              nlohmann::json& ingredients) {
  const auto* copy_ins = ins.as<dockerfile::CopyInstruction>();
  const dockerfile::SourcesAndDest& files =
      copy_ins ? copy_ins->files : ins.as<dockerfile::AddInstruction>()->files;
  CopyPlan& plan = step.copy;
  plan.add = copy_ins == nullptr;
  plan.sources = files.sources;
  plan.excludes = files.excludes;
  plan.parents = copy_ins && copy_ins->parents;
  plan.link = files.link;
  if (const auto* add = ins.as<dockerfile::AddInstruction>()) {
    prepare_add(*add, plan);
  }
  for (const dockerfile::InlineFile& f : files.inline_sources) {
    plan.inline_files.emplace_back(f.name, f.data);
  }
  std::string dest = files.dest;
  plan.dest_is_dir = dest.ends_with("/") || dest == "." || dest.ends_with("/.");
  std::string workdir =
      state.config.config.working_dir.empty() ? "/" : state.config.config.working_dir;
  plan.dest = dockerfile::clean_path(dest.starts_with("/") ? dest : workdir + "/" + dest);
  if (!files.chmod.empty()) {
    std::string error;
    plan.chmod = parse_chmod(files.chmod, error);
    if (!plan.chmod) {
      throw core::InputError(m_options.dockerfile_name + ":" + std::to_string(ins.start_line) +
                             ": " + ins.keyword + " --chmod=" + files.chmod + ": " + error);
    }
  }
  if (!files.chown.empty()) {
    try {
      resolve_chown(files.chown, state, plan);
    } catch (const core::InputError& e) {
      throw core::InputError(m_options.dockerfile_name + ":" + std::to_string(ins.start_line) +
                             ": " + ins.keyword + " --chown=" + files.chown + ": " + e.what());
    }
  }
  step.history = copy_history(ins, files);
  ingredients["copy"] = step.history;
  ingredients["dest"] = plan.dest;
  if (!plan.excludes.empty()) {
    ingredients["exclude"] = plan.excludes;
  }
  if (plan.link) {
    ingredients["link"] = true;
  }
  std::string from = copy_ins ? copy_ins->from : "";
  if (!from.empty()) {
    if (auto stage = find_stage(m_file, from, m_file.stages.size())) {
      step.from_stage = *stage;
      step.from = finished.at(*stage).key.str();
      step.from_layers = finished.at(*stage).layers;
      step.from_diff_ids = finished.at(*stage).config.rootfs.diff_ids;
    } else {
      registry::ImageData image = load_image(m_store, from, m_options.base);
      step.from = from + "@" + image.manifest_descriptor.digest.str();
      step.from_layers = image.manifest.layers;
      step.from_diff_ids = image.config.rootfs.diff_ids;
    }
    ingredients["from"] = *step.from;
    if (step.from_stage) {
      ingredients["from_layers"] = layer_digests(step.from_layers);
    }
  } else {
    CopySource source{.context = &m_context, .root = {}};
    step.selected = select_sources(plan, source);
    nlohmann::json digests = nlohmann::json::object();
    for (const std::string& path : copied_context_paths(plan, m_context, step.selected)) {
      digests[path] = std::string(m_context.entry_digest(*m_context.find(path)).hex());
    }
    ingredients["files"] = digests;
    step.file_digests = digests;
  }
  if (nlohmann::json urls = remote_ingredients(plan, m_remote); !urls.is_null()) {
    ingredients["urls"] = urls;
  }
  step.link_key = link_layer_key(plan, ingredients);
}

void LayerSteps::resolve_chown(const std::string& chown, const StageState& state, CopyPlan& plan) {
  size_t colon = chown.find(':');
  std::string user = chown.substr(0, colon);
  std::string group = colon == std::string::npos ? "" : chown.substr(colon + 1);
  auto uid = parse_number(user);
  auto gid = group.empty() ? uid : parse_number(group);
  if (uid && gid) {
    plan.uid = *uid;
    plan.gid = *gid;
    return;
  }
  sandbox::Rootfs rootfs;
  rootfs.lower_dirs = lower_dirs(state);
  std::string passwd = sandbox::read_rootfs_file(rootfs, "etc/passwd").value_or("");
  std::string groups = sandbox::read_rootfs_file(rootfs, "etc/group").value_or("");
  sandbox::ResolvedUser resolved = sandbox::resolve_user(chown, passwd, groups);
  plan.uid = resolved.uid;
  plan.gid = resolved.gid;
}

std::vector<fs::path> LayerSteps::lower_dirs(const StageState& state) const {
  std::vector<fs::path> out = snapshot_dirs(state.layers, state.config.rootfs.diff_ids);
  if (out.empty()) {
    out.push_back(m_snapshots.empty());
  }
  return out;
}

std::vector<fs::path> LayerSteps::snapshot_dirs(const std::vector<core::Descriptor>& layers,
                                                const std::vector<core::Digest>& diff_ids) const {
  std::vector<fs::path> out;
  if (diff_ids.size() != layers.size()) {
    throw core::Error("image config lists " + std::to_string(diff_ids.size()) + " diff_ids for " +
                      std::to_string(layers.size()) + " layers");
  }
  for (size_t i = layers.size(); i-- > 0;) {
    fs::path dir = m_snapshots.ensure(diff_ids[i], layers[i]);
    // Two equal layers (two RUNs that changed nothing) share one snapshot,
    // which overlayfs refuses twice (ELOOP). The lower copy is shadowed by
    // the upper one entry for entry, so leaving it out changes nothing.
    if (std::find(out.begin(), out.end(), dir) == out.end()) {
      out.push_back(std::move(dir));
    }
  }
  return out;
}

std::optional<PathInfo> LayerSteps::lookup(const std::vector<fs::path>& lowers,
                                           const std::string& path) const {
  std::string rel = dockerfile::clean_path(path);
  while (rel.starts_with("/")) {
    rel.erase(0, 1);
  }
  if (rel.empty() || rel == ".") {
    return PathInfo{S_IFDIR | 0755, 0, 0, 0};
  }
  // As overlay shows it: whiteouts and opaque dirs hide, a symlink in the
  // parents is never followed to the host (callers resolve dest paths first).
  std::optional<UnionEntry> entry = union_lookup(lowers, rel);
  if (!entry) {
    return std::nullopt;
  }
  const struct stat& st = entry->st;
  return PathInfo{st.st_mode, st.st_uid, st.st_gid, st.st_mtim.tv_sec};
}

std::string LayerSteps::resolve_dest(const std::vector<fs::path>& lowers,
                                     const std::string& dest) const {
  // As BuildKit (fs.RootPath): every symlink of the image on the way is
  // followed inside it, the last one too. COPY x /lib/y with /lib -> usr/lib
  // writes /usr/lib/y (writing lib/ would replace the link with a
  // directory); a link to a file gets the file replaced, the link stays.
  return resolve_in_layers(lowers, dockerfile::clean_path("/" + dest)).str();
}

NewLayer LayerSteps::write_layer(const std::function<void(core::LayerWriter&)>& fill) const {
  core::ContentStore::Writer blob = m_store.blobs().writer();
  core::LayerWriter writer(blob, {.compression = m_options.compression,
                                  .compress = {},
                                  .source_date_epoch = m_options.source_date_epoch});
  fill(writer);
  core::LayerResult result = writer.finish();
  core::Digest digest = blob.commit(result.digest, result.size);
  return {{.media_type = std::string(core::oci_layer_media_type(m_options.compression)),
           .digest = digest,
           .size = static_cast<std::int64_t>(result.size)},
          result.diff_id};
}

std::optional<NewLayer> LayerSteps::execute(const dockerfile::Instruction& ins,
                                            const PreparedStep& step, StageState& state) {
  if (ins.as<dockerfile::RunInstruction>()) {
    return run(ins, step, state);
  }
  if (const auto* wd = ins.as<dockerfile::WorkdirInstruction>()) {
    return workdir(state, wd->path);
  }
  return copy(step, state);
}

std::optional<NewLayer> LayerSteps::run(const dockerfile::Instruction& ins,
                                        const PreparedStep& step, const StageState& state) {
  // Read while the build's mutex is held: another stage sets its own next.
  std::function<void(std::string_view)> sink = m_output;
  RunRequest request;
  request.lower_dirs = lower_dirs(state);
  core::TempDir scratch(m_snapshots.scratch_dir(), "run-");
  request.upper_dir = scratch.path() / "upper";
  request.work_dir = scratch.path() / "work";
  fs::create_directory(request.upper_dir);
  fs::create_directory(request.work_dir);
  request.argv = step.argv;
  request.env = step.env;
  request.cwd = state.config.config.working_dir.empty()
                    ? "/"
                    : dockerfile::clean_path(state.config.config.working_dir);
  request.user = state.config.config.user;
  request.network_none = step.network_none;
  request.insecure = step.insecure;
  MountHost host{.secrets = &m_options.secrets,
                 .cache_root = cache_mounts_root(m_store.root()),
                 .scratch_dir = m_snapshots.scratch_dir(),
                 .source_root = [this](const PreparedMount& m) -> fs::path {
                   return m.from_key.empty()
                              ? context_tree()
                              : materialize(m.from_key, m.from_layers, m.from_diff_ids,
                                            {m.mount.source});
                 }};
  std::string where = m_options.dockerfile_name + ":" + std::to_string(ins.start_line);
  std::unique_ptr<MountSession> mounts;
  {
    // Unlocked: a sharing=locked cache mount may wait for another stage's RUN.
    Unlocked unlocked(m_parallel);
    mounts = std::make_unique<MountSession>(step.mounts, request.lower_dirs, host, where);
  }
  request.mounts = mounts->mounts();
  request.env.insert(request.env.end(), mounts->env().begin(), mounts->env().end());
  // Output is shown line by line, each line with any mounted secret masked.
  const std::vector<std::string>& secrets = mounts->secret_values();
  OutputTail tail;
  std::string pending;
  auto show = [&](const std::string& line) {
    std::string masked = secrets.empty() ? line : mask_secrets(line, secrets);
    tail.push(masked);
    if (sink) {
      sink(masked + "\n");
    }
  };
  request.on_output = [&](std::string_view data) {
    pending.append(data);
    for (size_t nl; (nl = pending.find('\n')) != std::string::npos;) {
      show(pending.substr(0, nl));
      pending.erase(0, nl + 1);
    }
  };
  RunOutcome outcome;
  {
    Unlocked unlocked(m_parallel);
    outcome = m_runner.run(request);
  }
  if (!pending.empty()) {
    show(pending);
  }
  if (outcome.status != 0) {
    std::string message = "process \"" + step.argv.back() +
                          "\" did not complete successfully: " + outcome.description + "\n  at " +
                          m_options.dockerfile_name + ":" + std::to_string(ins.start_line) + ": " +
                          ins.source;
    if (!tail.lines.empty()) {
      message += "\n  last output:";
      for (const std::string& line : tail.lines) {
        message += "\n    " + line;
      }
    }
    throw StepFailure(message);
  }
  mounts->remove_mount_stubs(request.upper_dir);
  mounts.reset();
  std::vector<fs::path> lowers = request.lower_dirs;
  Unlocked unlocked(m_parallel);
  return write_layer(
      [&](core::LayerWriter& writer) { layer_from_upper(request.upper_dir, lowers, writer); });
}

const fs::path& LayerSteps::materialize(const std::string& key,
                                        const std::vector<core::Descriptor>& layers,
                                        const std::vector<core::Digest>& diff_ids,
                                        const std::vector<std::string>& paths) {
  // What COPY --from or a bind mount reads: only the paths it names, hard
  // links into the layers' snapshots (union_tree.h).
  std::string id = key;
  for (const std::string& path : paths) {
    id += "\n" + path;
  }
  std::lock_guard lock(m_sources_mutex);
  auto it = m_materialized.find(id);
  if (it == m_materialized.end()) {
    core::TempDir dir(m_snapshots.scratch_dir(), "from-");
    materialize_union(snapshot_dirs(layers, diff_ids), paths, dir.path());
    it = m_materialized.emplace(id, std::move(dir)).first;
  }
  return it->second.path();
}

std::optional<NewLayer> LayerSteps::copy(const PreparedStep& step, const StageState& state) {
  if (step.link_key) {
    if (std::optional<NewLayer> reused = find_link_layer(*step.link_key)) {
      return reused;
    }
  }
  std::vector<fs::path> lowers = lower_dirs(state);
  CopySource source{.context = &m_context, .root = {}};
  std::vector<std::string> selected = step.selected;
  if (step.from) {
    std::vector<std::string> prefixes;
    for (const std::string& pattern : step.copy.sources) {
      prefixes.push_back(static_prefix(pattern));
    }
    source = {.context = nullptr,
              .root = materialize(*step.from, step.from_layers, step.from_diff_ids, prefixes)};
    selected = select_sources(step.copy, source);
  }
  CopyPlan plan = step.copy;
  if (!plan.link) {
    plan.dest = resolve_dest(lowers, plan.dest);
  }
  fetch_remote_files(plan, m_remote);
  core::TempDir tree(m_snapshots.scratch_dir(), "copy-");
  // --link writes its layer as if on scratch: nothing below it is looked at.
  RootfsLookup look = [&](const std::string& path) {
    return plan.link ? std::nullopt : lookup(lowers, path);
  };
  // Files the same COPY wrote last time, unchanged since: a hard link into
  // that snapshot instead of a copy (no data written, no new inode).
  ReuseFile reuse;
  if (step.previous_tree && !step.from) {
    reuse = [&](const fs::path& src, const struct stat& st, const std::string& tree_rel,
                const fs::path& dst, mode_t mode, uid_t uid, gid_t gid) {
      std::string rel = src.lexically_relative(m_context.dir()).generic_string();
      auto now = step.file_digests.find(rel);
      auto before = step.previous_digests.find(rel);
      if (now == step.file_digests.end() || before == step.previous_digests.end() ||
          *now != *before) {
        return false;
      }
      fs::path old = *step.previous_tree / tree_rel;
      struct stat ost {};
      if (::lstat(old.c_str(), &ost) != 0 || !S_ISREG(ost.st_mode) || ost.st_size != st.st_size ||
          ost.st_mtim.tv_sec != st.st_mtim.tv_sec || ost.st_mtim.tv_nsec != st.st_mtim.tv_nsec ||
          (ost.st_mode & 07777) != mode || ost.st_uid != uid || ost.st_gid != gid) {
        return false;
      }
      return ::link(old.c_str(), dst.c_str()) == 0;
    };
  }
  Unlocked unlocked(m_parallel);
  write_copy_tree(plan, source, selected, look, tree.path(), reuse);
  NewLayer layer = write_layer([&](core::LayerWriter& writer) { writer.add_tree(tree.path()); });
  // The tree is this layer's snapshot already: a later RUN need not extract it.
  m_snapshots.publish(layer.diff_id, tree.path());
  if (step.link_key) {
    nlohmann::json diff_id = {{"diff_id", layer.diff_id.str()}};
    m_link_cache.put({*step.link_key, {{"link layer", true}}, diff_id.dump(), {layer.descriptor}});
  }
  return layer;
}

void LayerSteps::offer_previous(PreparedStep& step, const nlohmann::json& ingredients,
                                const CacheRecord& before) const {
  if (step.from || !ingredients.contains("files") || !before.ingredients.is_object() ||
      !before.ingredients.contains("files")) {
    return;
  }
  nlohmann::json now = ingredients;
  nlohmann::json then = before.ingredients;
  now.erase("files");
  then.erase("files");
  if (now != then) {
    return; // another instruction, parent, destination or option: nothing to share
  }
  core::ImageConfig config;
  try {
    config = core::parse_image_config(before.config, "cached config");
  } catch (const core::Error&) {
    return;
  }
  if (config.rootfs.diff_ids.empty()) {
    return;
  }
  step.previous_tree = m_snapshots.find(config.rootfs.diff_ids.back());
  if (step.previous_tree) {
    step.previous_digests = before.ingredients["files"];
  }
}

std::optional<NewLayer> LayerSteps::find_link_layer(const core::Digest& key) const {
  std::optional<CacheRecord> record = m_link_cache.find(key);
  if (!record || record->layers.size() != 1 || !m_store.blobs().has(record->layers[0].digest)) {
    return std::nullopt;
  }
  auto parsed = nlohmann::json::parse(record->config, nullptr, false);
  std::optional<core::Digest> diff_id =
      parsed.is_object() && parsed.contains("diff_id") && parsed["diff_id"].is_string()
          ? core::Digest::parse(parsed["diff_id"].get<std::string>())
          : std::nullopt;
  if (!diff_id) {
    return std::nullopt;
  }
  return NewLayer{record->layers[0], *diff_id};
}

std::optional<NewLayer> LayerSteps::workdir(StageState& state, const std::string& path) {
  std::vector<fs::path> lowers = lower_dirs(state);
  // The config keeps the path as written; the directory is made where the
  // image's symlinks lead (WORKDIR /lib/app with /lib -> usr/lib).
  std::string dir = resolve_in_layers(lowers, apply_workdir(path, state.config)).str();
  std::optional<PathInfo> existing = lookup(lowers, dir);
  if (dir == "/" || (existing && S_ISDIR(existing->mode))) {
    return std::nullopt;
  }
  core::TempDir tree(m_snapshots.scratch_dir(), "workdir-");
  CopyPlan plan;
  plan.dest = dir;
  plan.dest_is_dir = true;
  RootfsLookup look = [&](const std::string& p) { return lookup(lowers, p); };
  write_copy_tree(plan, {.context = nullptr, .root = {}}, {}, look, tree.path());
  NewLayer layer = write_layer([&](core::LayerWriter& writer) { writer.add_tree(tree.path()); });
  m_snapshots.publish(layer.diff_id, tree.path());
  return layer;
}

} // namespace builder
