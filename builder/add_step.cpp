#include "builder/add_step.h"

#include "core/error.h"

#include <algorithm>

namespace builder {

void prepare_add(const dockerfile::AddInstruction& add, CopyPlan& plan) {
  plan.unpack = add.unpack;
  if (add.checksum.empty()) {
    return;
  }
  size_t urls =
      static_cast<size_t>(std::count_if(plan.sources.begin(), plan.sources.end(),
                                        [](const std::string& s) { return is_remote_source(s); }));
  if (urls != 1 || plan.sources.size() != 1) {
    throw core::InputError("ADD --checksum needs exactly one source, an http:// or https:// URL");
  }
  plan.checksum = parse_add_checksum(add.checksum);
}

nlohmann::json remote_ingredients(const CopyPlan& plan, RemoteFiles& remote) {
  nlohmann::json out = nlohmann::json::object();
  for (const std::string& source : plan.sources) {
    if (!is_remote_source(source)) {
      continue;
    }
    if (plan.checksum) {
      out[source] = {{"checksum", plan.checksum->str()}};
      continue;
    }
    const RemoteFile& file = remote.fetch(source, std::nullopt);
    out[source] = {{"digest", file.digest.str()},
                   {"last_modified", file.last_modified ? nlohmann::json(*file.last_modified)
                                                        : nlohmann::json(nullptr)}};
  }
  return out.empty() ? nlohmann::json(nullptr) : out;
}

void fetch_remote_files(CopyPlan& plan, RemoteFiles& remote) {
  plan.remote_files.clear();
  for (const std::string& source : plan.sources) {
    if (is_remote_source(source)) {
      plan.remote_files.push_back(remote.fetch(source, plan.checksum));
    }
  }
}

} // namespace builder
