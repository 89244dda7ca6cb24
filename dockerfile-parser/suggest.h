#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dockerfile {

/// The candidate closest to `word` by edit distance, when it is close enough
/// to be a likely typo (as BuildKit's and ninja's "did you mean" do).
/// Comparison ignores ASCII case when `ignore_case`.
std::optional<std::string>
suggest(std::string_view word, const std::vector<std::string_view>& candidates, bool ignore_case);

/// Edit distance between two byte strings (optimal string alignment).
size_t edit_distance(std::string_view a, std::string_view b);

} // namespace dockerfile
