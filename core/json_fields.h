#pragma once

#include "core/digest.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace core {

/// Where a JSON value sits: the document ("manifest sha256:…") and the field
/// path inside it ("layers[2].digest"). Typed getters below throw
/// InputError("<document>: field '<path>': <problem>") on a wrong type.
class JsonContext {
public:
  explicit JsonContext(std::string document) : m_document(std::move(document)) {}

  JsonContext field(std::string_view key) const;
  JsonContext element(size_t index) const;
  const std::string& document() const noexcept { return m_document; }
  const std::string& path() const noexcept { return m_path; }

  [[noreturn]] void fail(std::string_view problem) const;

private:
  std::string m_document;
  std::string m_path;
};

/// Parses a whole JSON document; InputError("<what>: invalid JSON: …") if it
/// is not JSON, or "…: expected a JSON object" when `object` is required.
nlohmann::json parse_json_object(std::string_view bytes, std::string_view what);

/// Requires `value` to be an object (at `ctx`).
void require_object(const nlohmann::json& value, const JsonContext& ctx);

/// The member `key` of `obj`, or nullptr when absent or null.
const nlohmann::json* find_member(const nlohmann::json& obj, std::string_view key);

std::optional<std::string> get_string(const nlohmann::json& obj, std::string_view key,
                                      const JsonContext& ctx);
std::string require_string(const nlohmann::json& obj, std::string_view key, const JsonContext& ctx);
std::optional<std::int64_t> get_int(const nlohmann::json& obj, std::string_view key,
                                    const JsonContext& ctx);
bool get_bool(const nlohmann::json& obj, std::string_view key, const JsonContext& ctx);
Digest require_digest(const nlohmann::json& obj, std::string_view key, const JsonContext& ctx);
/// A list of strings; empty when absent or null.
std::vector<std::string> get_string_list(const nlohmann::json& obj, std::string_view key,
                                         const JsonContext& ctx);
/// An object of string values; empty when absent or null.
std::map<std::string, std::string> get_string_map(const nlohmann::json& obj, std::string_view key,
                                                  const JsonContext& ctx);
/// The keys of an object used as a set ({"80/tcp": {}}); empty when absent.
std::vector<std::string> get_key_set(const nlohmann::json& obj, std::string_view key,
                                     const JsonContext& ctx);

/// The members of `obj` not named in `known` (kept so a round trip loses nothing).
nlohmann::json unknown_members(const nlohmann::json& obj,
                               std::initializer_list<std::string_view> known);

/// Writers that omit empty values, as Docker's and OCI's `omitempty` do.
void put_string(nlohmann::json& obj, const char* key, const std::string& value);
void put_strings(nlohmann::json& obj, const char* key, const std::vector<std::string>& value);
void put_string_map(nlohmann::json& obj, const char* key,
                    const std::map<std::string, std::string>& value);
void put_key_set(nlohmann::json& obj, const char* key, const std::vector<std::string>& value);

/// Canonical text: sorted keys, no insignificant whitespace.
std::string canonical_json(const nlohmann::json& value);

} // namespace core
