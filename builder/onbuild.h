#pragma once

#include "dockerfile-parser/instructions.h"

#include <string>
#include <vector>

/// ONBUILD: the triggers a base image stores in its config (`OnBuild`) run
/// right after the FROM of a stage that uses it, as Docker does.
namespace builder {

/// Parses `triggers` (the OnBuild list of the base `base_name`) into typed
/// instructions, in order. Each one is checked like a Dockerfile line: a
/// parse error, or a trigger Docker refuses (ONBUILD, FROM, MAINTAINER),
/// throws InputError "FROM <base>: ONBUILD trigger <n> '<text>': <problem>".
std::vector<dockerfile::Instruction>
parse_onbuild_triggers(const std::vector<std::string>& triggers, const std::string& base_name);

} // namespace builder
