#pragma once

#include "dockerfile-parser/instructions.h"

#include <nlohmann/json.hpp>

namespace dockerfile {

/// The typed instructions as JSON (the schema is in docs/dockerfile.md):
/// {"global_args": [...], "stages": [{"name", "base_name", "platform",
/// "line", "instructions": [{"instruction": "RUN", "line", "end_line",
/// "source", ...fields}]}]}.
nlohmann::json to_json(const Dockerfile& dockerfile);

/// One instruction as JSON.
nlohmann::json to_json(const Instruction& instruction);

} // namespace dockerfile
