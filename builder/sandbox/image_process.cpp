#include "builder/sandbox/image_process.h"

#include "core/error.h"

#include <cstdlib>

namespace builder::sandbox {
namespace {

constexpr const char* k_default_path =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::string key_of(const std::string& entry) {
  return entry.substr(0, entry.find('='));
}

void set_env(std::vector<std::string>& env, const std::string& entry) {
  const std::string key = key_of(entry);
  for (auto& existing : env) {
    if (key_of(existing) == key) {
      existing = entry;
      return;
    }
  }
  env.push_back(entry);
}

} // namespace

ProcessConfig resolve_process(const ImageRunConfig& image, const RunOverrides& overrides) {
  ProcessConfig process;
  std::vector<std::string> entrypoint = image.entrypoint;
  std::vector<std::string> cmd = image.cmd;
  if (overrides.entrypoint) {
    entrypoint.clear();
    if (!overrides.entrypoint->empty()) {
      entrypoint.push_back(*overrides.entrypoint);
    }
    cmd.clear();
  }
  if (!overrides.cmd.empty()) {
    cmd = overrides.cmd;
  }
  process.argv = entrypoint;
  process.argv.insert(process.argv.end(), cmd.begin(), cmd.end());
  if (process.argv.empty()) {
    throw core::InputError("no command specified: the image has no ENTRYPOINT or CMD");
  }

  for (const auto& entry : image.env) {
    set_env(process.env, entry);
  }
  for (const auto& entry : overrides.env) {
    if (entry.find('=') != std::string::npos) {
      set_env(process.env, entry);
    } else if (const char* value = std::getenv(entry.c_str())) {
      set_env(process.env, entry + "=" + value);
    }
  }
  bool has_path = false;
  for (const auto& entry : process.env) {
    has_path = has_path || key_of(entry) == "PATH";
  }
  if (!has_path) {
    process.env.insert(process.env.begin(), k_default_path);
  }

  std::string cwd = overrides.working_dir.value_or(image.working_dir);
  process.cwd = cwd.empty() ? std::string(1, '/') : cwd;
  if (process.cwd.front() != '/') {
    throw core::InputError("working directory '" + process.cwd + "' is not absolute");
  }
  process.user = overrides.user.value_or(image.user);
  return process;
}

} // namespace builder::sandbox
