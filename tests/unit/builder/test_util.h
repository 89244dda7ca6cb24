#pragma once

#include "core/error.h"
#include "dockerfile-parser/instructions.h"
#include "dockerfile-parser/parser.h"

#include <filesystem>
#include <fstream>
#include <string>

namespace builder::test {

/// The typed form of Dockerfile `text`; throws when it has errors.
inline dockerfile::Dockerfile typed(const std::string& text) {
  dockerfile::ParseResult parsed = dockerfile::parse(text);
  dockerfile::Dockerfile file = dockerfile::to_instructions(parsed.ast, "Dockerfile", text);
  if (!parsed.ok() || !file.ok()) {
    throw core::InputError("test Dockerfile has errors");
  }
  return file;
}

inline void write(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

} // namespace builder::test
