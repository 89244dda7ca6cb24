#include "core/image_config.h"

#include "core/error.h"
#include "core/json_fields.h"

namespace core {

using nlohmann::json;

namespace {

std::int64_t duration(const json& obj, std::string_view key, const JsonContext& ctx) {
  return get_int(obj, key, ctx).value_or(0);
}

HealthConfig parse_health(const json& v, const JsonContext& ctx) {
  require_object(v, ctx);
  HealthConfig h;
  h.test = get_string_list(v, "Test", ctx);
  h.interval = duration(v, "Interval", ctx);
  h.timeout = duration(v, "Timeout", ctx);
  h.start_period = duration(v, "StartPeriod", ctx);
  h.start_interval = duration(v, "StartInterval", ctx);
  h.retries = duration(v, "Retries", ctx);
  h.extra = unknown_members(
      v, {"Test", "Interval", "Timeout", "StartPeriod", "StartInterval", "Retries"});
  return h;
}

json health_to_json(const HealthConfig& h) {
  json out = h.extra.is_object() ? h.extra : json::object();
  put_strings(out, "Test", h.test);
  auto put_int = [&out](const char* key, std::int64_t v) {
    if (v != 0) {
      out[key] = v;
    }
  };
  put_int("Interval", h.interval);
  put_int("Timeout", h.timeout);
  put_int("StartPeriod", h.start_period);
  put_int("StartInterval", h.start_interval);
  put_int("Retries", h.retries);
  return out;
}

RunConfig parse_run_config(const json& v, const JsonContext& ctx) {
  require_object(v, ctx);
  RunConfig c;
  c.user = get_string(v, "User", ctx).value_or("");
  c.exposed_ports = get_key_set(v, "ExposedPorts", ctx);
  c.env = get_string_list(v, "Env", ctx);
  c.entrypoint = get_string_list(v, "Entrypoint", ctx);
  c.cmd = get_string_list(v, "Cmd", ctx);
  c.volumes = get_key_set(v, "Volumes", ctx);
  c.working_dir = get_string(v, "WorkingDir", ctx).value_or("");
  c.labels = get_string_map(v, "Labels", ctx);
  c.stop_signal = get_string(v, "StopSignal", ctx).value_or("");
  if (const json* h = find_member(v, "Healthcheck")) {
    c.healthcheck = parse_health(*h, ctx.field("Healthcheck"));
  }
  c.on_build = get_string_list(v, "OnBuild", ctx);
  c.shell = get_string_list(v, "Shell", ctx);
  c.args_escaped = get_bool(v, "ArgsEscaped", ctx);
  c.extra = unknown_members(v, {"User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes",
                                "WorkingDir", "Labels", "StopSignal", "Healthcheck", "OnBuild",
                                "Shell", "ArgsEscaped"});
  return c;
}

json run_config_to_json(const RunConfig& c) {
  json out = c.extra.is_object() ? c.extra : json::object();
  put_string(out, "User", c.user);
  put_key_set(out, "ExposedPorts", c.exposed_ports);
  put_strings(out, "Env", c.env);
  put_strings(out, "Entrypoint", c.entrypoint);
  put_strings(out, "Cmd", c.cmd);
  put_key_set(out, "Volumes", c.volumes);
  put_string(out, "WorkingDir", c.working_dir);
  put_string_map(out, "Labels", c.labels);
  put_string(out, "StopSignal", c.stop_signal);
  if (c.healthcheck) {
    out["Healthcheck"] = health_to_json(*c.healthcheck);
  }
  put_strings(out, "OnBuild", c.on_build);
  put_strings(out, "Shell", c.shell);
  if (c.args_escaped) {
    out["ArgsEscaped"] = true;
  }
  return out;
}

RootFs parse_rootfs(const json& doc, const JsonContext& ctx) {
  RootFs r;
  const json* v = find_member(doc, "rootfs");
  if (v == nullptr) {
    return r; // required by the spec, but absent in some artifacts; an empty rootfs reads fine
  }
  JsonContext rctx = ctx.field("rootfs");
  require_object(*v, rctx);
  r.type = get_string(*v, "type", rctx).value_or("layers");
  const json* ids = find_member(*v, "diff_ids");
  if (ids == nullptr) {
    return r;
  }
  JsonContext ictx = rctx.field("diff_ids");
  if (!ids->is_array()) {
    ictx.fail(std::string("expected an array, got ") + ids->type_name());
  }
  for (size_t i = 0; i < ids->size(); ++i) {
    const json& item = (*ids)[i];
    if (!item.is_string()) {
      ictx.element(i).fail(std::string("expected a string, got ") + item.type_name());
    }
    try {
      r.diff_ids.push_back(Digest::from_string(item.get<std::string>()));
    } catch (const InputError& e) {
      ictx.element(i).fail(e.message());
    }
  }
  return r;
}

std::vector<HistoryEntry> parse_history(const json& doc, const JsonContext& ctx) {
  std::vector<HistoryEntry> out;
  const json* v = find_member(doc, "history");
  if (v == nullptr) {
    return out;
  }
  JsonContext hctx = ctx.field("history");
  if (!v->is_array()) {
    hctx.fail(std::string("expected an array, got ") + v->type_name());
  }
  for (size_t i = 0; i < v->size(); ++i) {
    const json& item = (*v)[i];
    JsonContext ectx = hctx.element(i);
    require_object(item, ectx);
    HistoryEntry h;
    h.created = get_string(item, "created", ectx).value_or("");
    h.created_by = get_string(item, "created_by", ectx).value_or("");
    h.author = get_string(item, "author", ectx).value_or("");
    h.comment = get_string(item, "comment", ectx).value_or("");
    h.empty_layer = get_bool(item, "empty_layer", ectx);
    h.extra = unknown_members(item, {"created", "created_by", "author", "comment", "empty_layer"});
    out.push_back(std::move(h));
  }
  return out;
}

json history_to_json(const HistoryEntry& h) {
  json out = h.extra.is_object() ? h.extra : json::object();
  put_string(out, "created", h.created);
  put_string(out, "created_by", h.created_by);
  put_string(out, "author", h.author);
  put_string(out, "comment", h.comment);
  if (h.empty_layer) {
    out["empty_layer"] = true;
  }
  return out;
}

} // namespace

ImageConfig parse_image_config(std::string_view bytes, std::string_view what) {
  json doc = parse_json_object(bytes, what);
  JsonContext ctx{std::string(what)};
  ImageConfig c;
  c.created = get_string(doc, "created", ctx).value_or("");
  c.author = get_string(doc, "author", ctx).value_or("");
  c.architecture = get_string(doc, "architecture", ctx).value_or("");
  c.os = get_string(doc, "os", ctx).value_or("");
  c.os_version = get_string(doc, "os.version", ctx).value_or("");
  c.os_features = get_string_list(doc, "os.features", ctx);
  c.variant = get_string(doc, "variant", ctx).value_or("");
  if (const json* rc = find_member(doc, "config")) {
    c.config = parse_run_config(*rc, ctx.field("config"));
  }
  c.rootfs = parse_rootfs(doc, ctx);
  c.history = parse_history(doc, ctx);
  c.extra = unknown_members(doc, {"created", "author", "architecture", "os", "os.version",
                                  "os.features", "variant", "config", "rootfs", "history"});
  return c;
}

std::string serialize(const ImageConfig& c) {
  json out = c.extra.is_object() ? c.extra : json::object();
  put_string(out, "created", c.created);
  put_string(out, "author", c.author);
  out["architecture"] = c.architecture;
  out["os"] = c.os;
  put_string(out, "os.version", c.os_version);
  put_strings(out, "os.features", c.os_features);
  put_string(out, "variant", c.variant);
  json run = run_config_to_json(c.config);
  if (!run.empty()) {
    out["config"] = std::move(run);
  }
  json diff_ids = json::array();
  for (const Digest& d : c.rootfs.diff_ids) {
    diff_ids.push_back(d.str());
  }
  out["rootfs"] = json{{"type", c.rootfs.type}, {"diff_ids", std::move(diff_ids)}};
  if (!c.history.empty()) {
    json history = json::array();
    for (const HistoryEntry& h : c.history) {
      history.push_back(history_to_json(h));
    }
    out["history"] = std::move(history);
  }
  return canonical_json(out);
}

} // namespace core
