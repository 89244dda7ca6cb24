// The part of LayerSteps that prepares RUN --mount, --network and --security:
// checking the flags, resolving `from`, and what they add to the cache key.
#include "builder/build_graph.h"
#include "builder/layer_steps.h"
#include "core/error.h"

#include <sys/stat.h>

namespace builder {

namespace fs = std::filesystem;

void LayerSteps::prepare_mounts(const dockerfile::Instruction& ins, const StageState& state,
                                const std::map<size_t, StageState>& finished, PreparedStep& step,
                                nlohmann::json& ingredients) {
  const auto& run = std::get<dockerfile::RunInstruction>(ins.body);
  std::string where = m_options.dockerfile_name + ":" + std::to_string(ins.start_line);
  if (run.security == "insecure" && !m_options.allow_insecure) {
    throw core::InputError(where + ": RUN --security=insecure needs the entitlement: build with "
                                   "`cbuild build --allow security.insecure`");
  }
  step.insecure = run.security == "insecure";
  step.mounts = parse_run_mounts(run.mounts, state.config.config.working_dir, where);
  nlohmann::json mounts = nlohmann::json::array();
  for (PreparedMount& m : step.mounts) {
    nlohmann::json entry = {{"type", m.mount.type}, {"target", m.mount.target}};
    const std::string& from = m.mount.from;
    bool has_source = m.mount.type == "bind" || (m.mount.type == "cache" && !from.empty());
    if (has_source && !from.empty()) {
      std::optional<size_t> stage = find_stage(m_file, from, m_file.stages.size());
      if (stage && finished.count(*stage) != 0) {
        m.from_key = finished.at(*stage).key.str();
        m.from_layers = finished.at(*stage).layers;
        m.from_diff_ids = finished.at(*stage).config.rootfs.diff_ids;
      } else if (stage) {
        throw core::InputError(where + ": RUN --mount from=" + from +
                               ": a stage can only mount a stage defined before it");
      } else {
        registry::ImageData image = load_image(m_store, from, m_options.base);
        m.from_key = from + "@" + image.manifest_descriptor.digest.str();
        m.from_layers = image.manifest.layers;
        m.from_diff_ids = image.config.rootfs.diff_ids;
      }
      entry["from"] = m.from_key;
    } else if (m.mount.type == "bind") {
      // What a context bind exposes is an input of the step, like COPY's files.
      std::string rel = dockerfile::clean_path("/" + m.mount.source).substr(1);
      nlohmann::json digests = nlohmann::json::object();
      for (const ContextEntry* e : m_context.subtree(rel.empty() ? "." : rel)) {
        digests[e->path] = std::string(m_context.entry_digest(*e).hex());
      }
      entry["files"] = digests;
    }
    if (m.mount.type == "secret" || m.mount.type == "ssh") {
      entry["id"] = m.mount.cache_id; // the id only: never the content
    }
    mounts.push_back(entry);
  }
  if (!mounts.empty()) {
    ingredients["mounts"] = mounts;
  }
}

const fs::path& LayerSteps::context_tree() {
  // A copy of the context with .dockerignore applied: a bind mount shows
  // exactly what COPY could see, never an ignored file.
  const std::string key = "\ncontext";
  std::lock_guard lock(m_sources_mutex);
  auto it = m_materialized.find(key);
  if (it != m_materialized.end()) {
    return it->second.path();
  }
  core::TempDir dir(m_snapshots.scratch_dir(), "context-");
  for (const ContextEntry& e : m_context.entries()) {
    fs::path to = dir.path() / e.path;
    fs::create_directories(to.parent_path());
    if (S_ISDIR(e.mode)) {
      fs::create_directories(to);
    } else if (S_ISLNK(e.mode)) {
      fs::create_symlink(e.link_target, to);
      continue;
    } else if (S_ISREG(e.mode)) {
      // A copy, not a hard link: a link would change the file's ctime and
      // so invalidate the context's stat cache.
      fs::copy_file(m_context.dir() / e.path, to);
    } else {
      continue;
    }
    fs::permissions(to, static_cast<fs::perms>(e.mode & 07777));
  }
  return m_materialized.emplace(key, std::move(dir)).first->second.path();
}

} // namespace builder
