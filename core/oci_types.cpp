#include "core/oci_types.h"

#include "core/json_fields.h"
#include "core/media_types.h"

#include <sys/utsname.h>

namespace core {

using nlohmann::json;

bool Platform::matches(const Platform& wanted) const {
  return architecture == wanted.architecture && os == wanted.os &&
         (wanted.variant.empty() || variant == wanted.variant);
}

std::string Platform::str() const {
  std::string s = os + "/" + architecture;
  if (!variant.empty()) {
    s += "/" + variant;
  }
  return s;
}

Platform host_platform() {
  Platform p;
  p.os = "linux";
  utsname u{};
  std::string machine = uname(&u) == 0 ? u.machine : "x86_64";
  if (machine == "x86_64") {
    p.architecture = "amd64";
  } else if (machine == "aarch64") {
    p.architecture = "arm64";
  } else if (machine == "i686" || machine == "i386") {
    p.architecture = "386";
  } else {
    p.architecture = machine;
  }
  return p;
}

std::optional<std::string> Descriptor::annotation(std::string_view key) const {
  auto it = annotations.find(std::string(key));
  if (it == annotations.end()) {
    return std::nullopt;
  }
  return it->second;
}

Platform parse_platform(const json& value, const JsonContext& ctx) {
  require_object(value, ctx);
  Platform p;
  p.architecture = require_string(value, "architecture", ctx);
  p.os = require_string(value, "os", ctx);
  p.os_version = get_string(value, "os.version", ctx).value_or("");
  p.os_features = get_string_list(value, "os.features", ctx);
  p.variant = get_string(value, "variant", ctx).value_or("");
  p.features = get_string_list(value, "features", ctx);
  p.extra = unknown_members(
      value, {"architecture", "os", "os.version", "os.features", "variant", "features"});
  return p;
}

json platform_to_json(const Platform& p) {
  json out = p.extra.is_object() ? p.extra : json::object();
  out["architecture"] = p.architecture;
  out["os"] = p.os;
  put_string(out, "os.version", p.os_version);
  put_strings(out, "os.features", p.os_features);
  put_string(out, "variant", p.variant);
  put_strings(out, "features", p.features);
  return out;
}

Descriptor parse_descriptor(const json& value, const JsonContext& ctx) {
  require_object(value, ctx);
  std::optional<std::int64_t> size = get_int(value, "size", ctx);
  if (!size) {
    ctx.field("size").fail("missing");
  }
  if (*size < 0) {
    ctx.field("size").fail("negative size " + std::to_string(*size));
  }
  Descriptor d{.media_type = require_string(value, "mediaType", ctx),
               .digest = require_digest(value, "digest", ctx),
               .size = *size};
  d.urls = get_string_list(value, "urls", ctx);
  d.annotations = get_string_map(value, "annotations", ctx);
  if (const json* p = find_member(value, "platform")) {
    d.platform = parse_platform(*p, ctx.field("platform"));
  }
  d.artifact_type = get_string(value, "artifactType", ctx).value_or("");
  d.data = get_string(value, "data", ctx).value_or("");
  d.extra = unknown_members(value, {"mediaType", "digest", "size", "urls", "annotations",
                                    "platform", "artifactType", "data"});
  return d;
}

json descriptor_to_json(const Descriptor& d) {
  json out = d.extra.is_object() ? d.extra : json::object();
  out["mediaType"] = d.media_type;
  out["digest"] = d.digest.str();
  out["size"] = d.size;
  put_strings(out, "urls", d.urls);
  put_string_map(out, "annotations", d.annotations);
  if (d.platform) {
    out["platform"] = platform_to_json(*d.platform);
  }
  put_string(out, "artifactType", d.artifact_type);
  put_string(out, "data", d.data);
  return out;
}

namespace {

int parse_schema_version(const json& doc, const JsonContext& ctx) {
  std::optional<std::int64_t> v = get_int(doc, "schemaVersion", ctx);
  if (!v) {
    ctx.field("schemaVersion").fail("missing");
  }
  if (*v != 2) {
    ctx.field("schemaVersion")
        .fail("unsupported schema version " + std::to_string(*v) + " (expected 2)");
  }
  return 2;
}

std::vector<Descriptor> parse_descriptor_list(const json& doc, std::string_view key,
                                              const JsonContext& ctx) {
  std::vector<Descriptor> out;
  const json* list = find_member(doc, key);
  if (list == nullptr) {
    return out; // "manifests": null happens (moby #47210); treat as empty
  }
  JsonContext list_ctx = ctx.field(key);
  if (!list->is_array()) {
    list_ctx.fail(std::string("expected an array, got ") + list->type_name());
  }
  for (size_t i = 0; i < list->size(); ++i) {
    out.push_back(parse_descriptor((*list)[i], list_ctx.element(i)));
  }
  return out;
}

json descriptor_list_to_json(const std::vector<Descriptor>& list) {
  json out = json::array();
  for (const Descriptor& d : list) {
    out.push_back(descriptor_to_json(d));
  }
  return out;
}

} // namespace

Manifest parse_manifest(std::string_view bytes, std::string_view what) {
  json doc = parse_json_object(bytes, what);
  JsonContext ctx{std::string(what)};
  const json* config = find_member(doc, "config");
  if (config == nullptr) {
    ctx.field("config").fail("missing");
  }
  Manifest m{.schema_version = parse_schema_version(doc, ctx),
             .media_type = get_string(doc, "mediaType", ctx).value_or(""),
             .artifact_type = get_string(doc, "artifactType", ctx).value_or(""),
             .config = parse_descriptor(*config, ctx.field("config"))};
  if (!m.media_type.empty() && !is_manifest(m.media_type)) {
    ctx.field("mediaType").fail("not a manifest media type: '" + m.media_type + "'");
  }
  m.layers = parse_descriptor_list(doc, "layers", ctx);
  if (const json* s = find_member(doc, "subject")) {
    m.subject = parse_descriptor(*s, ctx.field("subject"));
  }
  m.annotations = get_string_map(doc, "annotations", ctx);
  m.extra = unknown_members(doc, {"schemaVersion", "mediaType", "artifactType", "config", "layers",
                                  "subject", "annotations"});
  return m;
}

std::string serialize(const Manifest& m) {
  json out = m.extra.is_object() ? m.extra : json::object();
  out["schemaVersion"] = m.schema_version;
  put_string(out, "mediaType", m.media_type);
  put_string(out, "artifactType", m.artifact_type);
  out["config"] = descriptor_to_json(m.config);
  out["layers"] = descriptor_list_to_json(m.layers); // required, even when empty
  if (m.subject) {
    out["subject"] = descriptor_to_json(*m.subject);
  }
  put_string_map(out, "annotations", m.annotations);
  return canonical_json(out);
}

Index parse_index(std::string_view bytes, std::string_view what) {
  json doc = parse_json_object(bytes, what);
  JsonContext ctx{std::string(what)};
  Index index{.schema_version = parse_schema_version(doc, ctx),
              .media_type = get_string(doc, "mediaType", ctx).value_or(""),
              .artifact_type = get_string(doc, "artifactType", ctx).value_or("")};
  if (!index.media_type.empty() && !is_index(index.media_type)) {
    ctx.field("mediaType").fail("not an index media type: '" + index.media_type + "'");
  }
  index.manifests = parse_descriptor_list(doc, "manifests", ctx);
  if (const json* s = find_member(doc, "subject")) {
    index.subject = parse_descriptor(*s, ctx.field("subject"));
  }
  index.annotations = get_string_map(doc, "annotations", ctx);
  index.extra = unknown_members(
      doc, {"schemaVersion", "mediaType", "artifactType", "manifests", "subject", "annotations"});
  return index;
}

std::string serialize(const Index& index) {
  json out = index.extra.is_object() ? index.extra : json::object();
  out["schemaVersion"] = index.schema_version;
  put_string(out, "mediaType", index.media_type);
  put_string(out, "artifactType", index.artifact_type);
  out["manifests"] = descriptor_list_to_json(index.manifests);
  if (index.subject) {
    out["subject"] = descriptor_to_json(*index.subject);
  }
  put_string_map(out, "annotations", index.annotations);
  return canonical_json(out);
}

std::string sniff_media_type(std::string_view json_bytes) {
  json doc = json::parse(json_bytes.begin(), json_bytes.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return {};
  }
  if (auto it = doc.find("mediaType"); it != doc.end() && it->is_string()) {
    return it->get<std::string>();
  }
  if (doc.contains("manifests")) {
    return std::string(k_oci_index);
  }
  if (doc.contains("layers") || doc.contains("config")) {
    return std::string(k_oci_manifest);
  }
  return {};
}

} // namespace core
