#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dockerfile {

/// `text` as Go's strconv.Quote writes it: double quotes, \" and \\, the short
/// escapes \a \b \f \n \r \t \v, \xNN for other controls and invalid UTF-8
/// bytes, \uNNNN / \UNNNNNNNN for other non-printable code points.
std::string go_quote(std::string_view text);

/// A string list as Go's fmt "%q" writes []string: ["a" "b"].
std::string go_quote_list(const std::vector<std::string>& items);

} // namespace dockerfile
