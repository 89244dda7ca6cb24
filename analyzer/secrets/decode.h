#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace secrets {

/// A span of text that decodes (base64, standard or URL-safe alphabet) to
/// printable text: where secrets hide in ENV values, labels and commands
/// (`ENV CREDS=aHR0cHM6Ly91...`, kubeconfig `client-key-data`).
struct EncodedSpan {
  std::size_t offset = 0; ///< in the scanned text
  std::string encoded{};  ///< the span as written
  std::string decoded{};  ///< its decoded bytes
};

/// The spans of `text` of at least `min_length` base64 characters (padding
/// included) whose decoded bytes are at least 8 and all printable ASCII or
/// whitespace. Spans that decode to binary (hashes, compressed data) are left out.
std::vector<EncodedSpan> find_base64(std::string_view text, std::size_t min_length = 16);

} // namespace secrets
