#include "core/json_fields.h"

#include "core/error.h"

namespace core {

using nlohmann::json;

JsonContext JsonContext::field(std::string_view key) const {
  JsonContext c = *this;
  if (!c.m_path.empty()) {
    c.m_path += '.';
  }
  c.m_path += key;
  return c;
}

JsonContext JsonContext::element(size_t index) const {
  JsonContext c = *this;
  c.m_path += '[' + std::to_string(index) + ']';
  return c;
}

void JsonContext::fail(std::string_view problem) const {
  std::string message = m_document;
  if (!m_path.empty()) {
    message += ": field '" + m_path + "'";
  }
  message += ": ";
  message += problem;
  throw InputError(std::move(message));
}

json parse_json_object(std::string_view bytes, std::string_view what) {
  json value;
  try {
    value = json::parse(bytes.begin(), bytes.end());
  } catch (const json::exception& e) {
    throw InputError(std::string(what) + ": invalid JSON: " + e.what());
  }
  if (!value.is_object()) {
    throw InputError(std::string(what) + ": expected a JSON object");
  }
  return value;
}

void require_object(const json& value, const JsonContext& ctx) {
  if (!value.is_object()) {
    ctx.fail(std::string("expected an object, got ") + value.type_name());
  }
}

const json* find_member(const json& obj, std::string_view key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    return nullptr;
  }
  return &*it;
}

namespace {

[[noreturn]] void wrong_type(const json& value, const char* expected, const JsonContext& ctx) {
  ctx.fail(std::string("expected ") + expected + ", got " + value.type_name());
}

} // namespace

std::optional<std::string> get_string(const json& obj, std::string_view key,
                                      const JsonContext& ctx) {
  const json* v = find_member(obj, key);
  if (v == nullptr) {
    return std::nullopt;
  }
  if (!v->is_string()) {
    wrong_type(*v, "a string", ctx.field(key));
  }
  return v->get<std::string>();
}

std::string require_string(const json& obj, std::string_view key, const JsonContext& ctx) {
  std::optional<std::string> s = get_string(obj, key, ctx);
  if (!s) {
    ctx.field(key).fail("missing");
  }
  return *s;
}

std::optional<std::int64_t> get_int(const json& obj, std::string_view key, const JsonContext& ctx) {
  const json* v = find_member(obj, key);
  if (v == nullptr) {
    return std::nullopt;
  }
  if (v->is_number_unsigned()) {
    auto u = v->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(INT64_MAX)) {
      ctx.field(key).fail("number out of range");
    }
    return static_cast<std::int64_t>(u);
  }
  if (!v->is_number_integer()) {
    wrong_type(*v, "an integer", ctx.field(key));
  }
  return v->get<std::int64_t>();
}

bool get_bool(const json& obj, std::string_view key, const JsonContext& ctx) {
  const json* v = find_member(obj, key);
  if (v == nullptr) {
    return false;
  }
  if (!v->is_boolean()) {
    wrong_type(*v, "a boolean", ctx.field(key));
  }
  return v->get<bool>();
}

Digest require_digest(const json& obj, std::string_view key, const JsonContext& ctx) {
  std::string text = require_string(obj, key, ctx);
  try {
    return Digest::from_string(text);
  } catch (const InputError& e) {
    ctx.field(key).fail(e.message());
  }
}

std::vector<std::string> get_string_list(const json& obj, std::string_view key,
                                         const JsonContext& ctx) {
  std::vector<std::string> out;
  const json* v = find_member(obj, key);
  if (v == nullptr) {
    return out;
  }
  if (!v->is_array()) {
    wrong_type(*v, "an array", ctx.field(key));
  }
  for (size_t i = 0; i < v->size(); ++i) {
    const json& item = (*v)[i];
    if (!item.is_string()) {
      wrong_type(item, "a string", ctx.field(key).element(i));
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::map<std::string, std::string> get_string_map(const json& obj, std::string_view key,
                                                  const JsonContext& ctx) {
  std::map<std::string, std::string> out;
  const json* v = find_member(obj, key);
  if (v == nullptr) {
    return out;
  }
  if (!v->is_object()) {
    wrong_type(*v, "an object", ctx.field(key));
  }
  for (const auto& [k, item] : v->items()) {
    if (!item.is_string()) {
      wrong_type(item, "a string", ctx.field(key).field(k));
    }
    out.emplace(k, item.get<std::string>());
  }
  return out;
}

std::vector<std::string> get_key_set(const json& obj, std::string_view key,
                                     const JsonContext& ctx) {
  std::vector<std::string> out;
  const json* v = find_member(obj, key);
  if (v == nullptr) {
    return out;
  }
  if (!v->is_object()) {
    wrong_type(*v, "an object", ctx.field(key));
  }
  for (const auto& item : v->items()) {
    out.push_back(item.key());
  }
  return out;
}

json unknown_members(const json& obj, std::initializer_list<std::string_view> known) {
  json out = json::object();
  for (const auto& [k, v] : obj.items()) {
    bool is_known = false;
    for (std::string_view name : known) {
      is_known = is_known || k == name;
    }
    if (!is_known) {
      out[k] = v;
    }
  }
  return out;
}

void put_string(json& obj, const char* key, const std::string& value) {
  if (!value.empty()) {
    obj[key] = value;
  }
}

void put_strings(json& obj, const char* key, const std::vector<std::string>& value) {
  if (!value.empty()) {
    obj[key] = value;
  }
}

void put_string_map(json& obj, const char* key, const std::map<std::string, std::string>& value) {
  if (!value.empty()) {
    obj[key] = value;
  }
}

void put_key_set(json& obj, const char* key, const std::vector<std::string>& value) {
  if (value.empty()) {
    return;
  }
  json set = json::object();
  for (const std::string& k : value) {
    set[k] = json::object();
  }
  obj[key] = std::move(set);
}

std::string canonical_json(const json& value) {
  return value.dump();
}

} // namespace core
