// RUN --mount values, read as BuildKit's commands_runmount.go reads them.
#include "dockerfile-parser/instructions.h"
#include "dockerfile-parser/suggest.h"
#include "dockerfile-parser/units.h"

#include <charconv>

namespace dockerfile {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

/// One CSV record: fields split at ',', a field starting with '"' is quoted
/// and "" inside it is one quote. nullopt for a bare quote or an open quote.
std::optional<std::vector<std::string>> csv_fields(std::string_view s) {
  std::vector<std::string> fields;
  size_t pos = 0;
  for (;;) {
    std::string field;
    if (pos < s.size() && s[pos] == '"') {
      ++pos;
      for (;;) {
        if (pos >= s.size()) {
          return std::nullopt;
        }
        if (s[pos] == '"') {
          if (pos + 1 < s.size() && s[pos + 1] == '"') {
            field += '"';
            pos += 2;
            continue;
          }
          ++pos;
          break;
        }
        field += s[pos++];
      }
      if (pos < s.size() && s[pos] != ',') {
        return std::nullopt;
      }
    } else {
      size_t comma = s.find(',', pos);
      field = std::string(s.substr(pos, comma == std::string_view::npos ? comma : comma - pos));
      if (field.find('"') != std::string::npos) {
        return std::nullopt;
      }
      pos = comma == std::string_view::npos ? s.size() : comma;
    }
    fields.push_back(std::move(field));
    if (pos >= s.size()) {
      return fields;
    }
    ++pos; // ','
  }
}

std::optional<bool> parse_bool(std::string_view v) {
  if (v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True") {
    return true;
  }
  if (v == "0" || v == "f" || v == "F" || v == "false" || v == "FALSE" || v == "False") {
    return false;
  }
  return std::nullopt;
}

std::optional<uint32_t> parse_uint(std::string_view v, int base) {
  uint32_t out = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out, base);
  if (ec != std::errc() || ptr != v.data() + v.size() || v.empty()) {
    return std::nullopt;
  }
  return out;
}

bool is_one_of(std::string_view v, std::initializer_list<std::string_view> options) {
  for (std::string_view o : options) {
    if (v == o) {
      return true;
    }
  }
  return false;
}

/// Applies one key=value field; returns an error message or "".
std::string apply_field(Mount& m, const std::string& key, const std::string& value, bool& ro_auto) {
  const bool file_info_type = m.type == "secret" || m.type == "ssh";
  if (key == "type") {
    std::string t = lower(value);
    if (!is_one_of(t, {"bind", "cache", "tmpfs", "secret", "ssh"})) {
      auto guess = suggest(t, {"bind", "cache", "tmpfs", "secret", "ssh"}, true);
      return "unsupported mount type \"" + value + "\"" +
             (guess ? " (did you mean " + *guess + "?)" : "");
    }
    m.type = t;
  } else if (key == "from") {
    m.from = value;
  } else if (key == "source" || key == "src") {
    m.source = value;
  } else if (key == "target" || key == "dst" || key == "destination") {
    m.target = value;
  } else if (key == "readonly" || key == "ro" || key == "readwrite" || key == "rw") {
    auto b = parse_bool(value);
    if (!b) {
      return "invalid value for " + key + ": " + value;
    }
    m.read_only = (key == "readonly" || key == "ro") ? *b : !*b;
    ro_auto = false;
  } else if (key == "required") {
    auto b = parse_bool(value);
    if (!file_info_type) {
      return "unexpected key '" + key + "' for mount type '" + m.type + "'";
    }
    if (!b) {
      return "invalid value for " + key + ": " + value;
    }
    m.required = *b;
  } else if (key == "size") {
    auto bytes = parse_ram_bytes(value);
    if (m.type != "tmpfs") {
      return "unexpected key '" + key + "' for mount type '" + m.type + "'";
    }
    if (!bytes) {
      return "invalid value for " + key + ": " + value;
    }
    m.size_limit = *bytes;
  } else if (key == "id") {
    m.cache_id = value;
  } else if (key == "sharing") {
    std::string s = lower(value);
    if (!is_one_of(s, {"shared", "private", "locked"})) {
      return "unsupported sharing value \"" + value + "\"";
    }
    m.sharing = s;
  } else if (key == "mode" || key == "uid" || key == "gid") {
    auto n = parse_uint(value, key == "mode" ? 8 : 10);
    if (!n) {
      return "invalid value " + value + " for " + key;
    }
    (key == "mode" ? m.mode : key == "uid" ? m.uid : m.gid) = *n;
  } else if (key == "env") {
    m.env = value;
  } else {
    static const std::vector<std::string_view> k_keys = {
        "type",        "from", "source", "target",    "readonly", "id",  "sharing",
        "required",    "size", "mode",   "uid",       "gid",      "src", "dst",
        "destination", "ro",   "rw",     "readwrite", "env"};
    auto guess = suggest(key, k_keys, true);
    return "unexpected key '" + key + "' in '" + key + "=" + value + "'" +
           (guess ? " (did you mean " + *guess + "?)" : "");
  }
  return {};
}

std::string check_mount(Mount& m, bool ro_auto) {
  const bool file_info_allowed = m.type == "secret" || m.type == "ssh" || m.type == "cache";
  if (!file_info_allowed) {
    for (auto [set, name] :
         {std::pair{m.mode.has_value(), "mode"}, std::pair{m.uid.has_value(), "uid"},
          std::pair{m.gid.has_value(), "gid"}}) {
      if (set) {
        return std::string(name) + " not allowed for \"" + m.type + "\" type mounts";
      }
    }
  }
  if (ro_auto) {
    m.read_only = !(m.type == "cache" || m.type == "tmpfs");
  }
  if (m.type == "secret") {
    if (!m.from.empty()) {
      return "secret mount should not have a from";
    }
    if (!m.sharing.empty()) {
      return "secret mount should not define sharing";
    }
    if (m.source.empty() && m.target.empty() && m.cache_id.empty()) {
      return "invalid secret mount. one of source, target required";
    }
    if (!m.source.empty() && !m.cache_id.empty()) {
      return "both source and id can't be set";
    }
  }
  if (!m.sharing.empty() && m.type != "cache") {
    return "invalid cache sharing set for " + m.type + " mount";
  }
  return {};
}

} // namespace

std::string accepted_mount_keys(std::string_view type) {
  const char* target = "target (dst, destination)";
  const char* ro = "readonly (ro)";
  std::vector<std::string> keys;
  if (type == "bind") {
    keys = {"from", "source (src)", target, ro, "readwrite (rw)"};
  } else if (type == "cache") {
    keys = {"id", target, "sharing", "from", "source (src)", "mode", "uid", "gid", ro};
  } else if (type == "tmpfs") {
    keys = {target, "size"};
  } else if (type == "secret") {
    keys = {"id", target, "required", "mode", "uid", "gid", "env"};
  } else if (type == "ssh") {
    keys = {"id", target, "required", "mode", "uid", "gid"};
  } else {
    return {};
  }
  std::string out = "type";
  for (const std::string& key : keys) {
    out += ", " + key;
  }
  return out;
}

std::string mount_type_of(std::string_view value) {
  std::optional<std::vector<std::string>> fields = csv_fields(value);
  std::string type = "bind";
  for (const std::string& field : fields.value_or(std::vector<std::string>{})) {
    if (lower(field.substr(0, field.find('='))) == "type" && field.find('=') != std::string::npos) {
      type = lower(field.substr(field.find('=') + 1));
    }
  }
  return type;
}

std::optional<Mount> parse_mount(std::string_view value, std::string& error) {
  std::optional<std::vector<std::string>> fields = csv_fields(value);
  if (!fields) {
    error = "failed to parse csv mounts";
    return std::nullopt;
  }
  Mount m;
  bool ro_auto = true;
  for (const std::string& field : *fields) {
    const size_t eq = field.find('=');
    const std::string key = lower(field.substr(0, eq));
    if (eq == std::string::npos) {
      if (key == "readonly" || key == "ro" || key == "readwrite" || key == "rw") {
        m.read_only = key == "readonly" || key == "ro";
        ro_auto = false;
      } else if (key == "required" && (m.type == "secret" || m.type == "ssh")) {
        m.required = true;
      } else if (key == "required") {
        error = "unexpected key 'required' for mount type '" + m.type + "'";
        return std::nullopt;
      } else {
        error = "invalid field '" + field + "' must be a key=value pair";
        return std::nullopt;
      }
      continue;
    }
    error = apply_field(m, key, field.substr(eq + 1), ro_auto);
    if (!error.empty()) {
      return std::nullopt;
    }
  }
  error = check_mount(m, ro_auto);
  if (!error.empty()) {
    return std::nullopt;
  }
  return m;
}

} // namespace dockerfile
