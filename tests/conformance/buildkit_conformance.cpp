// Runs BuildKit's own Dockerfile-parser and shell-lexer test data against our
// parser, as the corpus README describes:
//   parser/testfiles/*           the dump must equal `result` byte for byte
//   parser/testfiles-negative/*  parsing must fail
//   parser/testfile-line         line ranges 5-31; 5-5, 11-12, 17-31
//   shell/envVarTest             expansion to one string (A and U rows on Linux)
//   shell/wordsTest              expansion plus word splitting
// Usage: buildkit_conformance <dir>. Exit 0 all passed, 1 a failure, 77 when
// <dir> is absent (the data is not shipped with the project).

#include "dockerfile-parser/ast.h"
#include "dockerfile-parser/parser.h"
#include "dockerfile-parser/shell_lex.h"
#include "dockerfile-parser/unicode.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace dockerfile;

namespace {

/// Cases we skip on purpose, with the reason; printed by every run.
struct Skip {
  std::string table;
  std::string name;
  std::string reason;
};

struct Tally {
  int passed = 0;
  int failed = 0;
  int skipped = 0;
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  std::istringstream in(text);
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    lines.push_back(line);
  }
  return lines;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t pos = s.find(sep, start);
    out.emplace_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) {
      return out;
    }
    start = pos + 1;
  }
}

std::vector<fs::path> case_dirs(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_directory()) {
      out.push_back(entry.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

Tally run_positive(const fs::path& dir) {
  Tally t;
  for (const fs::path& c : case_dirs(dir)) {
    const std::string text = read_file(c / "Dockerfile");
    ParseResult r = parse(text, "Dockerfile");
    const std::string expected = read_file(c / "result");
    const std::string got = dump(r.ast);
    if (r.ok() && got == expected) {
      ++t.passed;
      continue;
    }
    ++t.failed;
    std::cout << "FAIL parser/testfiles/" << c.filename().string() << "\n";
    for (const auto& d : r.diagnostics) {
      std::cout << "  " << core::render(d, text);
    }
    std::cout << "--- expected\n" << expected << "--- got\n" << got;
  }
  return t;
}

Tally run_negative(const fs::path& dir) {
  Tally t;
  for (const fs::path& c : case_dirs(dir)) {
    ParseResult r = parse(read_file(c / "Dockerfile"), "Dockerfile");
    if (!r.ok()) {
      ++t.passed;
    } else {
      ++t.failed;
      std::cout << "FAIL parser/testfiles-negative/" << c.filename().string()
                << ": parsed without error\n";
    }
  }
  return t;
}

Tally run_line_numbers(const fs::path& file) {
  Tally t;
  ParseResult r = parse(read_file(file), "Dockerfile");
  const auto& ch = r.ast.children;
  const bool ok = r.ok() && r.ast.start_line == 5 && r.ast.end_line == 31 && ch.size() == 3 &&
                  ch[0].start_line == 5 && ch[0].end_line == 5 && ch[1].start_line == 11 &&
                  ch[1].end_line == 12 && ch[2].start_line == 17 && ch[2].end_line == 31;
  (ok ? t.passed : t.failed)++;
  if (!ok) {
    std::cout << "FAIL parser/testfile-line: spans " << r.ast.start_line << "-" << r.ast.end_line;
    for (const auto& n : ch) {
      std::cout << ", " << n.start_line << "-" << n.end_line;
    }
    std::cout << "\n";
  }
  return t;
}

Tally run_env_var_test(const fs::path& file, std::vector<Skip>& skips) {
  Tally t;
  Env env;
  env.set("PWD", "/home");
  env.set("SHELL", "bash");
  env.set("KOREAN", "\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4");
  env.set("NULL", "");
  const ShellLex lex;
  int line_no = 0;
  for (const std::string& raw : split_lines(read_file(file))) {
    ++line_no;
    if (!raw.empty() && raw[0] == '#') {
      continue;
    }
    std::string_view line = trim_space(raw);
    if (line.empty()) {
      continue;
    }
    std::vector<std::string> f = split(line, '|');
    if (f.size() != 3) {
      ++t.failed;
      std::cout << "FAIL envVarTest:" << line_no << ": malformed row\n";
      continue;
    }
    const std::string platform(trim_space(f[0]));
    const std::string input(trim_space(f[1]));
    const std::string expected(trim_space(f[2]));
    if (platform == "W") {
      ++t.skipped;
      skips.push_back({"envVarTest", "line " + std::to_string(line_no),
                       "Windows-only row (case-insensitive variable names)"});
      continue;
    }
    ExpandResult r = lex.expand_word(input, env);
    const bool ok = expected == "error" ? !r.ok : (r.ok && r.word == expected);
    (ok ? t.passed : t.failed)++;
    if (!ok) {
      std::cout << "FAIL envVarTest:" << line_no << ": " << input << " -> "
                << (r.ok ? r.word : "error: " + r.error) << " (expected " << expected << ")\n";
    }
  }
  return t;
}

Tally run_words_test(const fs::path& file) {
  Tally t;
  Env env;
  const ShellLex lex;
  int line_no = 0;
  for (const std::string& line : split_lines(read_file(file))) {
    ++line_no;
    if (!line.empty() && line[0] == '#') {
      continue;
    }
    if (line.rfind("ENV ", 0) == 0) {
      std::string_view def = std::string_view(line).substr(3);
      def.remove_prefix(std::min(def.find_first_not_of(' '), def.size()));
      size_t eq = def.find('=');
      env.set(def.substr(0, eq), eq == std::string_view::npos ? "" : def.substr(eq + 1));
      continue;
    }
    std::vector<std::string> f = split(line, '|');
    if (f.size() != 2) {
      ++t.failed;
      std::cout << "FAIL wordsTest:" << line_no << ": malformed row\n";
      continue;
    }
    const std::string input(trim_space(f[0]));
    std::string_view rhs = f[1];
    rhs.remove_prefix(std::min(rhs.find_first_not_of(' '), rhs.size()));
    const std::vector<std::string> expected = split(rhs, ',');
    ExpandResult r = lex.expand_words(input, env);
    const std::vector<std::string> got = r.ok ? r.words : std::vector<std::string>{"error"};
    const bool ok = got == expected;
    (ok ? t.passed : t.failed)++;
    if (!ok) {
      std::cout << "FAIL wordsTest:" << line_no << ": " << input << " ->";
      for (const auto& w : got) {
        std::cout << " [" << w << "]";
      }
      std::cout << "\n";
    }
  }
  return t;
}

void report(const std::string& table, const Tally& t) {
  std::cout << table << ": " << t.passed << " passed, " << t.failed << " failed, " << t.skipped
            << " skipped\n";
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: buildkit_conformance <conformance/buildkit dir>\n";
    return 2;
  }
  const fs::path root = argv[1];
  if (!fs::is_directory(root / "parser") || !fs::is_directory(root / "shell")) {
    std::cout << "SKIP: BuildKit conformance data not found at " << root.string()
              << " (it lives in shared/ beside the repository, not in it)\n";
    return 77;
  }
  std::vector<Skip> skips;
  struct Table {
    std::string name;
    Tally tally;
  };
  std::vector<Table> tables = {
      {"parser/testfiles", run_positive(root / "parser/testfiles")},
      {"parser/testfiles-negative", run_negative(root / "parser/testfiles-negative")},
      {"parser/testfile-line", run_line_numbers(root / "parser/testfile-line/Dockerfile")},
      {"shell/envVarTest", run_env_var_test(root / "shell/envVarTest", skips)},
      {"shell/wordsTest", run_words_test(root / "shell/wordsTest")},
  };
  for (const Skip& s : skips) {
    std::cout << "skipped " << s.table << " " << s.name << ": " << s.reason << "\n";
  }
  bool failed = false;
  for (const Table& table : tables) {
    report(table.name, table.tally);
    failed = failed || table.tally.failed > 0;
  }
  return failed ? 1 : 0;
}
