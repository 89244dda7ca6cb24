#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dockerfile {

/// How an attempt to read instruction arguments as a JSON array ended.
enum class JsonArrayStatus {
  ok,          ///< a JSON array of strings
  not_json,    ///< not a JSON array (or malformed): use the shell form
  not_strings, ///< a valid JSON array with a non-string element: an error
};

struct JsonArray {
  JsonArrayStatus status = JsonArrayStatus::not_json;
  std::vector<std::string> items;
};

/// Reads `text` (leading white space allowed) as one JSON document that must
/// be an array, with Go encoding/json's rules: strict RFC 8259, escapes
/// decoded, invalid UTF-8 and unpaired surrogates become U+FFFD.
JsonArray parse_json_array(std::string_view text);

} // namespace dockerfile
