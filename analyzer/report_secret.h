#pragma once
// The "secret" object of secret findings, shared by the JSON and SARIF reports
// (docs/json-schema.md).

#include "analyzer/rules.h"

#include <nlohmann/json.hpp>

namespace analyzer {

/// Where a secret lives and what it looks like; fields that do not apply to
/// the finding's origin are left out.
nlohmann::ordered_json secret_detail_json(const SecretDetail& detail);

} // namespace analyzer
