#pragma once

#include "core/digest.h"
#include "core/oci_types.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace builder {

/// What a step produced, kept under its cache key: the stage's config and
/// layers after the step, plus the ingredients the key was hashed from (so
/// --explain can say what changed).
struct CacheRecord {
  core::Digest key;
  nlohmann::json ingredients;           ///< see step_key()
  std::string config;                   ///< the image config after the step (JSON)
  std::vector<core::Descriptor> layers; ///< the stage's layers after the step
};

/// A step key: sha256 over the canonical JSON of its ingredients (which
/// include the parent step's key).
core::Digest step_key(const nlohmann::json& ingredients);

/// Step records under `<root>/cache/steps/<key hex>.json`, each written
/// atomically, plus the list of keys the last build of a Dockerfile used
/// (`<root>/cache/builds/<id>.json`), which --explain compares against.
class CacheIndex {
public:
  explicit CacheIndex(std::filesystem::path dir);

  /// The record for `key`, or nullopt (absent or unreadable).
  std::optional<CacheRecord> find(const core::Digest& key) const;
  void put(const CacheRecord& record) const;
  /// Sets the record's mtime to now: `cbuild prune --filter until=` keeps
  /// records used recently.
  void mark_used(const core::Digest& key) const;

  /// The keys the previous build `build_id` used, by step position
  /// ("stage/step"); empty when there was none.
  nlohmann::json last_build(const std::string& build_id) const;
  void save_build(const std::string& build_id, const nlohmann::json& keys) const;

private:
  std::filesystem::path m_dir;
};

/// The digests of `layers`, as a JSON array: what a stage's result is, for
/// the keys of steps that read it (FROM a stage, COPY --from a stage), so
/// they miss when a stage built again (--no-cache-filter) made other layers.
nlohmann::json layer_digests(const std::vector<core::Descriptor>& layers);

/// Sentences saying why `now` differs from `before` (both ingredients of
/// the same step position): instruction text, build args, context files,
/// base image, parent step. `parent_missed` says the parent step missed too.
std::vector<std::string> explain_difference(const nlohmann::json& now,
                                            const nlohmann::json& before);

} // namespace builder
