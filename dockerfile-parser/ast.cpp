#include "dockerfile-parser/ast.h"

#include "dockerfile-parser/go_quote.h"
#include "dockerfile-parser/unicode.h"

namespace dockerfile {

std::optional<std::string> Ast::directive(std::string_view name) const {
  for (const Directive& d : directives) {
    if (d.name == name) {
      return d.value;
    }
  }
  return std::nullopt;
}

std::string dump(const Node& node) {
  std::string out = node.keyword;
  if (!node.flags.empty()) {
    out += ' ';
    out += go_quote_list(node.flags);
  }
  for (const Node& sub : node.sub) {
    out += " (";
    out += dump(sub);
    out += ')';
  }
  for (const std::string& arg : node.args) {
    out += ' ';
    out += go_quote(arg);
  }
  return std::string(trim_space(out));
}

std::string dump(const Ast& ast) {
  std::string out;
  for (const Node& child : ast.children) {
    out += '(';
    out += dump(child);
    out += ")\n";
  }
  return out;
}

} // namespace dockerfile
