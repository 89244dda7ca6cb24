#include "dockerfile-parser/instruction_parsers.h"

#include "dockerfile-parser/flag_set.h"
#include "dockerfile-parser/heredoc.h"
#include "dockerfile-parser/unicode.h"
#include "dockerfile-parser/units.h"

#include <algorithm>
#include <map>

namespace dockerfile::detail {

namespace {

using Type = FlagSet::Type;
using Result = std::optional<ParseFailure>;

ParseFailure fail(std::string message, std::string hint = {}, std::string locate = {}) {
  return ParseFailure{std::move(message), std::move(hint), std::move(locate)};
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    }
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

Result parse_flags(FlagSet& flags, const Node& node) {
  if (auto e = flags.parse(node.flags)) {
    return fail(e->message, e->hint, e->flag);
  }
  return std::nullopt;
}

Result at_least_one(const Node& node, const char* name) {
  if (node.args.empty()) {
    return fail(std::string(name) + " requires at least one argument");
  }
  return std::nullopt;
}

Result exactly_one(const Node& node, const char* name) {
  if (node.args.size() != 1) {
    return fail(std::string(name) + " requires exactly one argument");
  }
  return std::nullopt;
}

/// The argv of RUN/CMD/ENTRYPOINT: as-is in JSON form, joined in shell form.
CommandLine command_line(const Node& node, size_t first_arg = 0) {
  CommandLine out;
  out.shell_form = !node.json_form;
  std::vector<std::string> args(node.args.begin() + static_cast<long>(first_arg), node.args.end());
  if (out.shell_form && !args.empty()) {
    std::string joined;
    for (size_t i = 0; i < args.size(); ++i) {
      joined += (i ? " " : "") + args[i];
    }
    args = {joined};
  }
  out.args = std::move(args);
  for (const Heredoc& h : node.heredocs) {
    out.files.push_back({h.name, h.content, h.expand, h.chomp});
  }
  return out;
}

Result key_values(const Node& node, const char* name, std::vector<KeyValue>& out) {
  if (node.args.empty()) {
    return fail(std::string(name) + " requires at least one argument");
  }
  if (node.args.size() % 3 != 0) {
    return fail(std::string("Bad input to ") + name + ", too many arguments");
  }
  for (size_t i = 0; i < node.args.size(); i += 3) {
    if (node.args[i].empty()) {
      return fail(std::string(name) + " names can not be blank");
    }
    out.push_back({node.args[i], node.args[i + 1], node.args[i + 2].empty()});
  }
  return std::nullopt;
}

/// COPY/ADD: splits sources into paths and heredoc files.
Result sources_and_dest(const Node& node, const FlagSet& flags, const char* name,
                        SourcesAndDest& out) {
  if (node.args.size() < 2) {
    return fail(std::string(name) +
                " requires at least two arguments, but only one was provided. Destination "
                "could not be determined");
  }
  std::string error;
  out.dest = node.args.back();
  if (parse_heredoc_marker(out.dest, error)) {
    return fail(std::string(name) + " cannot accept a heredoc as a destination");
  }
  std::map<std::string, const Heredoc*> by_name;
  for (const Heredoc& h : node.heredocs) {
    by_name[h.name] = &h;
  }
  for (size_t i = 0; i + 1 < node.args.size(); ++i) {
    const std::string& src = node.args[i];
    // Like BuildKit, a source that reads as a heredoc marker is one, even in
    // JSON form (where it then has an empty body).
    std::optional<Heredoc> marker = parse_heredoc_marker(src, error);
    if (!marker) {
      out.sources.push_back(src);
      continue;
    }
    auto it = by_name.find(marker->name);
    std::string data = it == by_name.end() ? std::string() : it->second->content;
    if (marker->chomp) {
      data = chomp_heredoc(data);
    }
    out.inline_sources.push_back({marker->name, data, marker->expand, marker->chomp});
  }
  out.chown = flags.value("chown");
  out.chmod = flags.value("chmod");
  out.link = flags.is_true("link");
  out.excludes = flags.values("exclude");
  return std::nullopt;
}

Result parse_run(const Node& node, InstructionBody& out) {
  FlagSet flags;
  flags.add("mount", Type::strings);
  flags.add("network", Type::string);
  flags.add("security", Type::string);
  if (auto e = parse_flags(flags, node)) {
    return e;
  }
  RunInstruction run;
  run.command = command_line(node);
  run.mounts = flags.values("mount");
  run.network = flags.value("network");
  run.security = flags.value("security");
  if (flags.is_used("network") && run.network != "default" && run.network != "none" &&
      run.network != "host") {
    return fail("unsupported network mode \"" + run.network + "\"", "use default, none or host",
                "--network");
  }
  if (flags.is_used("security") && run.security != "sandbox" && run.security != "insecure") {
    return fail("unsupported security mode \"" + run.security + "\"", "use sandbox or insecure",
                "--security");
  }
  for (const std::string& m : run.mounts) {
    // Values with variables are checked after expansion, at build time.
    std::string error;
    if (m.find('$') == std::string::npos && !parse_mount(m, error)) {
      std::string keys = accepted_mount_keys(mount_type_of(m));
      bool about_a_key = error.starts_with("unexpected key") ||
                         error.find(" not allowed for ") != std::string::npos ||
                         error.find("sharing") != std::string::npos;
      std::string hint =
          keys.empty() || !about_a_key ? "" : "type=" + mount_type_of(m) + " accepts: " + keys;
      return fail(error, hint, "--mount");
    }
  }
  out = std::move(run);
  return std::nullopt;
}

Result parse_copy(const Node& node, InstructionBody& out) {
  FlagSet flags;
  for (const char* f : {"chown", "from", "chmod"}) {
    flags.add(f, Type::string);
  }
  flags.add("link", Type::boolean);
  flags.add("parents", Type::boolean);
  flags.add("exclude", Type::strings);
  CopyInstruction copy;
  if (node.args.size() < 2) {
    return sources_and_dest(node, flags, "COPY", copy.files);
  }
  if (auto e = parse_flags(flags, node)) {
    return e;
  }
  if (auto e = sources_and_dest(node, flags, "COPY", copy.files)) {
    return e;
  }
  copy.from = flags.value("from");
  copy.parents = flags.is_true("parents");
  out = std::move(copy);
  return std::nullopt;
}

Result parse_add(const Node& node, InstructionBody& out) {
  FlagSet flags;
  for (const char* f : {"chown", "chmod", "checksum"}) {
    flags.add(f, Type::string);
  }
  for (const char* f : {"link", "keep-git-dir", "unpack"}) {
    flags.add(f, Type::boolean);
  }
  flags.add("exclude", Type::strings);
  AddInstruction add;
  if (node.args.size() < 2) {
    return sources_and_dest(node, flags, "ADD", add.files);
  }
  if (auto e = parse_flags(flags, node)) {
    return e;
  }
  if (auto e = sources_and_dest(node, flags, "ADD", add.files)) {
    return e;
  }
  if (flags.is_used("keep-git-dir")) {
    add.keep_git_dir = flags.is_true("keep-git-dir");
  }
  if (flags.is_used("unpack")) {
    add.unpack = flags.is_true("unpack");
  }
  add.checksum = flags.value("checksum");
  out = std::move(add);
  return std::nullopt;
}

Result parse_healthcheck(const Node& node, InstructionBody& out) {
  if (auto e = at_least_one(node, "HEALTHCHECK")) {
    return e;
  }
  HealthcheckInstruction hc;
  const std::string type = upper(node.args[0]);
  if (type == "NONE") {
    if (node.args.size() != 1) {
      return fail("HEALTHCHECK NONE takes no arguments");
    }
    hc.test = {"NONE"};
    out = std::move(hc);
    return std::nullopt;
  }
  FlagSet flags;
  for (const char* f : {"interval", "timeout", "start-period", "start-interval", "retries"}) {
    flags.add(f, Type::string);
  }
  if (auto e = parse_flags(flags, node)) {
    return e;
  }
  if (type != "CMD") {
    return fail("Unknown type \"" + type + "\" in HEALTHCHECK (try CMD)");
  }
  CommandLine cmd = command_line(node, 1);
  if (cmd.args.empty()) {
    return fail("Missing command after HEALTHCHECK CMD");
  }
  hc.test = {node.json_form ? "CMD" : "CMD-SHELL"};
  hc.test.insert(hc.test.end(), cmd.args.begin(), cmd.args.end());
  struct Interval {
    const char* flag;
    int64_t* field;
  };
  for (Interval iv : {Interval{"interval", &hc.interval_ns}, Interval{"timeout", &hc.timeout_ns},
                      Interval{"start-period", &hc.start_period_ns},
                      Interval{"start-interval", &hc.start_interval_ns}}) {
    const std::string v = flags.value(iv.flag);
    if (v.empty()) {
      continue;
    }
    std::optional<int64_t> ns = parse_duration(v);
    if (!ns) {
      return fail("time: invalid duration \"" + v + "\"", "", std::string("--") + iv.flag);
    }
    if (*ns != 0 && *ns < 1000000) {
      return fail(std::string("Interval \"") + iv.flag + "\" cannot be less than 1ms", "",
                  std::string("--") + iv.flag);
    }
    *iv.field = *ns;
  }
  if (const std::string r = flags.value("retries"); !r.empty()) {
    char* end = nullptr;
    const long long n = std::strtoll(r.c_str(), &end, 10);
    if (*end != '\0' || n > INT32_MAX || n < INT32_MIN) {
      return fail("strconv.ParseInt: parsing \"" + r + "\": invalid syntax", "", "--retries");
    }
    if (n < 0) {
      return fail("--retries cannot be negative (" + r + ")", "", "--retries");
    }
    hc.retries = static_cast<int>(n);
  }
  out = std::move(hc);
  return std::nullopt;
}

Result parse_onbuild(const Node& node, InstructionBody& out) {
  if (node.sub.empty()) {
    return fail("ONBUILD requires at least one argument");
  }
  FlagSet none;
  if (auto e = parse_flags(none, node)) {
    return e;
  }
  const std::string trigger = upper(node.sub[0].keyword);
  if (trigger == "ONBUILD") {
    return fail("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  }
  if (trigger == "MAINTAINER" || trigger == "FROM") {
    return fail(trigger + " isn't allowed as an ONBUILD trigger");
  }
  // The trigger's text: the line without its leading "ONBUILD" word.
  std::string_view rest = trim_left_space(node.original);
  rest.remove_prefix(std::min<size_t>(7, rest.size()));
  std::string expression(trim_left_space(rest));
  for (const Heredoc& h : node.sub[0].heredocs.empty() ? node.heredocs : node.sub[0].heredocs) {
    expression += "\n" + h.content + h.name;
  }
  out = OnbuildInstruction{expression};
  return std::nullopt;
}

Result parse_arg(const Node& node, InstructionBody& out) {
  if (auto e = at_least_one(node, "ARG")) {
    return e;
  }
  ArgInstruction arg;
  for (const std::string& word : node.args) {
    const size_t eq = word.find('=');
    if (eq == 0) {
      return fail("ARG names can not be blank");
    }
    ArgDefinition def{word.substr(0, eq), std::nullopt};
    if (eq != std::string::npos) {
      def.default_value = word.substr(eq + 1);
    }
    arg.args.push_back(std::move(def));
  }
  out = std::move(arg);
  return std::nullopt;
}

Result parse_simple(const Node& node, InstructionBody& out) {
  const std::string& k = node.keyword;
  FlagSet none;
  if (k == "workdir" || k == "user" || k == "maintainer") {
    const std::string name = upper(k);
    if (auto e = exactly_one(node, name.c_str())) {
      return e;
    }
    if (auto e = parse_flags(none, node)) {
      return e;
    }
    if (k == "workdir") {
      out = WorkdirInstruction{node.args[0]};
    } else if (k == "user") {
      out = UserInstruction{node.args[0]};
    } else {
      out = MaintainerInstruction{node.args[0]};
    }
    return std::nullopt;
  }
  if (k == "stopsignal") {
    if (auto e = exactly_one(node, "STOPSIGNAL")) {
      return e;
    }
    out = StopsignalInstruction{node.args[0]};
    return std::nullopt;
  }
  if (k == "expose" || k == "volume") {
    const std::string name = upper(k);
    if (auto e = at_least_one(node, name.c_str())) {
      return e;
    }
    if (auto e = parse_flags(none, node)) {
      return e;
    }
    if (k == "expose") {
      ExposeInstruction expose{node.args};
      std::sort(expose.ports.begin(), expose.ports.end());
      out = std::move(expose);
      return std::nullopt;
    }
    VolumeInstruction volume;
    for (const std::string& v : node.args) {
      std::string_view t = trim_space(v);
      if (t.empty()) {
        return fail("VOLUME specified can not be an empty string");
      }
      volume.volumes.emplace_back(t);
    }
    out = std::move(volume);
    return std::nullopt;
  }
  return fail("unknown instruction: " + upper(k));
}

Result parse_command_like(const Node& node, InstructionBody& out) {
  const std::string& k = node.keyword;
  FlagSet none;
  if (auto e = parse_flags(none, node)) {
    return e;
  }
  if (k == "cmd") {
    out = CmdInstruction{command_line(node)};
  } else if (k == "entrypoint") {
    out = EntrypointInstruction{command_line(node)};
  } else {
    if (node.args.empty()) {
      return fail("SHELL requires at least one argument");
    }
    if (!node.json_form) {
      return fail("SHELL requires the arguments to be in JSON form",
                  "write it as SHELL [\"executable\", \"param1\"]");
    }
    out = ShellInstruction{node.args};
  }
  return std::nullopt;
}

Result parse_key_values(const Node& node, InstructionBody& out) {
  FlagSet none;
  if (auto e = parse_flags(none, node)) {
    return e;
  }
  if (node.keyword == "env") {
    EnvInstruction env;
    if (auto e = key_values(node, "ENV", env.vars)) {
      return e;
    }
    out = std::move(env);
  } else {
    LabelInstruction label;
    if (auto e = key_values(node, "LABEL", label.labels)) {
      return e;
    }
    out = std::move(label);
  }
  return std::nullopt;
}

} // namespace

Result parse_body(const Node& node, InstructionBody& out) {
  const std::string& k = node.keyword;
  if (k == "run")
    return parse_run(node, out);
  if (k == "copy")
    return parse_copy(node, out);
  if (k == "add")
    return parse_add(node, out);
  if (k == "healthcheck")
    return parse_healthcheck(node, out);
  if (k == "onbuild")
    return parse_onbuild(node, out);
  if (k == "arg")
    return parse_arg(node, out);
  if (k == "env" || k == "label")
    return parse_key_values(node, out);
  if (k == "cmd" || k == "entrypoint" || k == "shell")
    return parse_command_like(node, out);
  return parse_simple(node, out);
}

Result parse_from(const Node& node, Stage& out) {
  const auto& args = node.args;
  if (args.size() == 3 && lower(args[1]) == "as") {
    out.name = lower(args[2]);
    const std::string& n = out.name;
    const bool valid =
        !n.empty() && n[0] >= 'a' && n[0] <= 'z' && std::all_of(n.begin(), n.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                 c == '.';
        });
    if (!valid) {
      return fail("invalid name for build stage: \"" + args[2] +
                  "\", name can't start with a number or contain symbols");
    }
  } else if (args.size() != 1) {
    return fail("FROM requires either one or three arguments");
  }
  FlagSet flags;
  flags.add("platform", Type::string);
  if (auto e = parse_flags(flags, node)) {
    return e;
  }
  out.base_name = args[0];
  out.platform = flags.value("platform");
  out.source = std::string(trim_space(node.original));
  out.start_line = node.start_line;
  out.end_line = node.end_line;
  out.comments = node.comments;
  return std::nullopt;
}

} // namespace dockerfile::detail
