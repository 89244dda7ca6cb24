#include "dockerfile-parser/instructions_json.h"

namespace dockerfile {

namespace {

using nlohmann::json;

json to_json(const CommandLine& c) {
  json out = {{"args", c.args}, {"form", c.shell_form ? "shell" : "exec"}};
  if (!c.files.empty()) {
    json files = json::array();
    for (const InlineFile& f : c.files) {
      files.push_back(
          {{"name", f.name}, {"data", f.data}, {"expand", f.expand}, {"chomp", f.chomp}});
    }
    out["heredocs"] = files;
  }
  return out;
}

json to_json(const std::vector<KeyValue>& pairs) {
  json out = json::array();
  for (const KeyValue& kv : pairs) {
    out.push_back({{"key", kv.key}, {"value", kv.value}});
  }
  return out;
}

json to_json(const SourcesAndDest& f) {
  json inline_sources = json::array();
  for (const InlineFile& s : f.inline_sources) {
    inline_sources.push_back({{"name", s.name}, {"data", s.data}, {"expand", s.expand}});
  }
  return {{"sources", f.sources}, {"heredocs", inline_sources}, {"dest", f.dest},
          {"chown", f.chown},     {"chmod", f.chmod},           {"link", f.link},
          {"exclude", f.excludes}};
}

template <class T> json optional_json(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

/// The fields of each instruction kind.
struct Fields {
  json operator()(const RunInstruction& i) const {
    return {{"command", to_json(i.command)},
            {"mounts", i.mounts},
            {"network", i.network},
            {"security", i.security}};
  }
  json operator()(const CmdInstruction& i) const { return {{"command", to_json(i.command)}}; }
  json operator()(const EntrypointInstruction& i) const {
    return {{"command", to_json(i.command)}};
  }
  json operator()(const ShellInstruction& i) const { return {{"shell", i.shell}}; }
  json operator()(const CopyInstruction& i) const {
    json out = to_json(i.files);
    out["from"] = i.from;
    out["parents"] = i.parents;
    return out;
  }
  json operator()(const AddInstruction& i) const {
    json out = to_json(i.files);
    out["keep_git_dir"] = optional_json(i.keep_git_dir);
    out["checksum"] = i.checksum;
    out["unpack"] = optional_json(i.unpack);
    return out;
  }
  json operator()(const EnvInstruction& i) const { return {{"env", to_json(i.vars)}}; }
  json operator()(const LabelInstruction& i) const { return {{"labels", to_json(i.labels)}}; }
  json operator()(const ArgInstruction& i) const {
    json args = json::array();
    for (const ArgDefinition& a : i.args) {
      args.push_back({{"key", a.key}, {"default", optional_json(a.default_value)}});
    }
    return {{"args", args}};
  }
  json operator()(const WorkdirInstruction& i) const { return {{"path", i.path}}; }
  json operator()(const UserInstruction& i) const { return {{"user", i.user}}; }
  json operator()(const ExposeInstruction& i) const { return {{"ports", i.ports}}; }
  json operator()(const VolumeInstruction& i) const { return {{"volumes", i.volumes}}; }
  json operator()(const StopsignalInstruction& i) const { return {{"signal", i.signal}}; }
  json operator()(const MaintainerInstruction& i) const { return {{"maintainer", i.maintainer}}; }
  json operator()(const OnbuildInstruction& i) const { return {{"expression", i.expression}}; }
  json operator()(const HealthcheckInstruction& i) const {
    return {{"test", i.test},
            {"interval_ns", i.interval_ns},
            {"timeout_ns", i.timeout_ns},
            {"start_period_ns", i.start_period_ns},
            {"start_interval_ns", i.start_interval_ns},
            {"retries", i.retries}};
  }
};

} // namespace

nlohmann::json to_json(const Instruction& instruction) {
  json out = {{"instruction", instruction.keyword},
              {"line", instruction.start_line},
              {"end_line", instruction.end_line},
              {"source", instruction.source},
              {"flags", instruction.flags}};
  out.update(std::visit(Fields{}, instruction.body));
  return out;
}

nlohmann::json to_json(const Dockerfile& dockerfile) {
  json globals = json::array();
  for (const ArgInstruction& arg : dockerfile.global_args) {
    // Keep the object alive while iterating: a range-for over a member of a
    // temporary reads freed memory (found by the fuzzer).
    const json fields = Fields{}(arg);
    for (const json& a : fields["args"]) {
      globals.push_back(a);
    }
  }
  json stages = json::array();
  for (const Stage& s : dockerfile.stages) {
    json instructions = json::array();
    for (const Instruction& i : s.instructions) {
      instructions.push_back(to_json(i));
    }
    stages.push_back({{"name", s.name},
                      {"base_name", s.base_name},
                      {"platform", s.platform},
                      {"line", s.start_line},
                      {"end_line", s.end_line},
                      {"source", s.source},
                      {"instructions", instructions}});
  }
  return {
      {"escape", std::string(1, dockerfile.escape)}, {"global_args", globals}, {"stages", stages}};
}

} // namespace dockerfile
