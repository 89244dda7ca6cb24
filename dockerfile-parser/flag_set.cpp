#include "dockerfile-parser/flag_set.h"

#include "dockerfile-parser/suggest.h"

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

} // namespace

std::optional<FlagSet::Error> FlagSet::parse(const std::vector<std::string>& args) {
  for (const std::string& arg : args) {
    if (arg == "--") {
      return std::nullopt;
    }
    if (arg.rfind("--", 0) != 0) {
      return Error{"arg should start with -- : " + arg, "", arg};
    }
    const size_t eq = arg.find('=');
    const bool has_value = eq != std::string::npos;
    const std::string flag_name = arg.substr(0, eq);
    const std::string value = has_value ? arg.substr(eq + 1) : std::string();
    auto it = m_flags.find(std::string_view(flag_name).substr(2));
    if (it == m_flags.end()) {
      std::vector<std::string_view> names;
      for (const auto& [name, flag] : m_flags) {
        names.push_back(name);
      }
      std::optional<std::string> guess = suggest(flag_name.substr(2), names, true);
      return Error{"unknown flag '" + flag_name + "'",
                   guess ? "did you mean '--" + *guess + "'?" : "", arg};
    }
    Flag& flag = it->second;
    if (flag.used && flag.type != Type::strings) {
      return Error{"duplicate flag specified: " + flag_name, "", arg};
    }
    flag.used = true;
    switch (flag.type) {
    case Type::boolean: {
      if (has_value && value.empty()) {
        return Error{"missing a value on flag: " + flag_name, "", arg};
      }
      const std::string v = lower(value);
      if (v == "true" || v.empty()) {
        flag.values = {"true"};
      } else if (v == "false") {
        flag.values = {"false"};
      } else {
        return Error{"expecting boolean value for flag " + flag_name + ", not: " + value, "", arg};
      }
      break;
    }
    case Type::string:
    case Type::strings:
      if (!has_value) {
        return Error{"missing a value on flag: " + flag_name, "", arg};
      }
      if (flag.type == Type::string) {
        flag.values = {value};
      } else {
        flag.values.push_back(value);
      }
      break;
    }
  }
  return std::nullopt;
}

bool FlagSet::is_used(const std::string& name) const {
  auto it = m_flags.find(name);
  return it != m_flags.end() && it->second.used;
}

std::string FlagSet::value(const std::string& name) const {
  auto it = m_flags.find(name);
  if (it == m_flags.end() || it->second.values.empty()) {
    return {};
  }
  return it->second.values.back();
}

std::vector<std::string> FlagSet::values(const std::string& name) const {
  auto it = m_flags.find(name);
  return it == m_flags.end() ? std::vector<std::string>{} : it->second.values;
}

} // namespace dockerfile
