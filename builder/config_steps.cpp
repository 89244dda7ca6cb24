#include "builder/config_steps.h"

#include "core/error.h"
#include "dockerfile-parser/dockerignore.h"

#include <algorithm>

namespace builder {

namespace {

constexpr const char* k_default_path =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

void set_env(std::vector<std::string>& env, const std::string& key, const std::string& value) {
  for (std::string& entry : env) {
    if (entry.compare(0, key.size() + 1, key + "=") == 0) {
      entry = key + "=" + value;
      return;
    }
  }
  env.push_back(key + "=" + value);
}

void add_sorted(std::vector<std::string>& items, const std::string& item) {
  if (std::find(items.begin(), items.end(), item) == items.end()) {
    items.push_back(item);
    std::sort(items.begin(), items.end());
  }
}

std::string kv_text(const std::vector<dockerfile::KeyValue>& pairs) {
  std::string out;
  for (const dockerfile::KeyValue& kv : pairs) {
    out += (out.empty() ? "" : " ") + kv.key + "=" + kv.value;
  }
  return out;
}

std::string port_key(std::string port) {
  return port.find('/') == std::string::npos ? port + "/tcp" : port;
}

std::string apply_command(const dockerfile::Instruction& ins, core::ImageConfig& config,
                          StageVars& vars) {
  if (const auto* cmd = ins.as<dockerfile::CmdInstruction>()) {
    config.config.cmd = command_argv(cmd->command, config);
    vars.cmd_set = true;
    return "CMD " + go_list(config.config.cmd);
  }
  const auto* entry = ins.as<dockerfile::EntrypointInstruction>();
  config.config.entrypoint = command_argv(entry->command, config);
  if (!vars.cmd_set) {
    config.config.cmd.clear(); // Docker: a new ENTRYPOINT drops an inherited CMD
  }
  return "ENTRYPOINT " + go_list(config.config.entrypoint);
}

std::string apply_healthcheck(const dockerfile::HealthcheckInstruction& hc,
                              core::ImageConfig& config) {
  core::HealthConfig health;
  health.test = hc.test;
  health.interval = hc.interval_ns;
  health.timeout = hc.timeout_ns;
  health.start_period = hc.start_period_ns;
  health.start_interval = hc.start_interval_ns;
  health.retries = hc.retries;
  config.config.healthcheck = health;
  return "HEALTHCHECK &{" + go_list(hc.test) + "}";
}

} // namespace

std::vector<std::string> stage_shell(const core::ImageConfig& config) {
  return config.config.shell.empty() ? std::vector<std::string>{"/bin/sh", "-c"}
                                     : config.config.shell;
}

std::vector<std::string> command_argv(const dockerfile::CommandLine& command,
                                      const core::ImageConfig& config) {
  if (!command.shell_form) {
    return command.args;
  }
  std::vector<std::string> argv = stage_shell(config);
  std::string line;
  for (const std::string& arg : command.args) {
    line += (line.empty() ? "" : " ") + arg;
  }
  argv.push_back(line);
  return argv;
}

dockerfile::Env expansion_env(const core::ImageConfig& config, const StageVars& vars) {
  dockerfile::Env env = vars.args;
  for (const std::string& entry : config.config.env) {
    size_t eq = entry.find('=');
    env.set(entry.substr(0, eq), eq == std::string::npos ? "" : entry.substr(eq + 1));
  }
  return env;
}

std::vector<std::string> run_env(const core::ImageConfig& config, const StageVars& vars) {
  std::vector<std::string> env = config.config.env;
  for (const auto& [key, value] : vars.args.entries) {
    bool in_env = std::any_of(env.begin(), env.end(), [&key = key](const std::string& e) {
      return e.compare(0, key.size() + 1, key + "=") == 0;
    });
    if (!in_env) {
      env.push_back(key + "=" + value);
    }
  }
  bool has_path = std::any_of(env.begin(), env.end(),
                              [](const std::string& e) { return e.starts_with("PATH="); });
  if (!has_path) {
    env.insert(env.begin(), std::string("PATH=") + k_default_path);
  }
  return env;
}

std::string apply_workdir(const std::string& path, core::ImageConfig& config) {
  std::string base = config.config.working_dir.empty() ? "/" : config.config.working_dir;
  // As BuildKit: a relative path is joined and cleaned, an absolute one is
  // kept as written ("/a/../b" stays); file system uses clean it.
  config.config.working_dir =
      path.starts_with("/") ? path : dockerfile::clean_path(base + "/" + path);
  return dockerfile::clean_path(config.config.working_dir);
}

std::string run_history(const std::vector<std::string>& argv, const StageVars& vars) {
  std::string text = "RUN ";
  if (!vars.args.entries.empty()) {
    text += "|" + std::to_string(vars.args.entries.size()) + " ";
    for (const auto& [key, value] : vars.args.entries) {
      text += key + "=" + value + " ";
    }
  }
  for (size_t i = 0; i < argv.size(); ++i) {
    text += (i ? " " : "") + argv[i];
  }
  return text + " # buildkit";
}

std::string go_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    out += (i ? " \"" : "\"") + items[i] + "\"";
  }
  return out + "]";
}

std::string apply_config_step(const dockerfile::Instruction& ins, core::ImageConfig& config,
                              StageVars& vars) {
  core::RunConfig& rc = config.config;
  if (const auto* env = ins.as<dockerfile::EnvInstruction>()) {
    for (const dockerfile::KeyValue& kv : env->vars) {
      set_env(rc.env, kv.key, kv.value);
    }
    return "ENV " + kv_text(env->vars);
  }
  if (const auto* label = ins.as<dockerfile::LabelInstruction>()) {
    for (const dockerfile::KeyValue& kv : label->labels) {
      rc.labels[kv.key] = kv.value;
    }
    return "LABEL " + kv_text(label->labels);
  }
  if (const auto* user = ins.as<dockerfile::UserInstruction>()) {
    rc.user = user->user;
    return "USER " + user->user;
  }
  if (const auto* expose = ins.as<dockerfile::ExposeInstruction>()) {
    std::string text;
    for (const std::string& port : expose->ports) {
      add_sorted(rc.exposed_ports, port_key(port));
      text += (text.empty() ? "" : " ") + port_key(port) + ":{}";
    }
    return "EXPOSE map[" + text + "]";
  }
  if (const auto* volume = ins.as<dockerfile::VolumeInstruction>()) {
    for (const std::string& v : volume->volumes) {
      add_sorted(rc.volumes, v);
    }
    return "VOLUME " + go_list(volume->volumes);
  }
  if (const auto* sig = ins.as<dockerfile::StopsignalInstruction>()) {
    rc.stop_signal = sig->signal;
    return "STOPSIGNAL " + sig->signal;
  }
  if (const auto* m = ins.as<dockerfile::MaintainerInstruction>()) {
    config.author = m->maintainer;
    return "MAINTAINER " + m->maintainer;
  }
  if (const auto* shell = ins.as<dockerfile::ShellInstruction>()) {
    rc.shell = shell->shell;
    return "SHELL " + go_list(shell->shell);
  }
  if (const auto* onbuild = ins.as<dockerfile::OnbuildInstruction>()) {
    rc.on_build.push_back(onbuild->expression);
    return "ONBUILD " + onbuild->expression;
  }
  if (const auto* hc = ins.as<dockerfile::HealthcheckInstruction>()) {
    return apply_healthcheck(*hc, config);
  }
  if (ins.as<dockerfile::CmdInstruction>() || ins.as<dockerfile::EntrypointInstruction>()) {
    return apply_command(ins, config, vars);
  }
  throw core::Error("internal: " + ins.keyword + " is not a config step");
}

} // namespace builder
