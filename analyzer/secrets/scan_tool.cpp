// cscan-secrets-scan: runs the secret engine over directory trees, as if each
// were one layer. For the secretlint comparison, the benchmark and debugging;
// `cscan` is the real front end.
//
//   cscan-secrets-scan [--rules FILE [--rules-mode file|add|replace]] [--json]
//                      [--show-secrets] [--threads N] [--summary] DIR...
//   cscan-secrets-scan --list-rules [--rules FILE]
#include "analyzer/secrets/builtin_rules.h"
#include "analyzer/secrets/file_scanner.h"
#include "analyzer/secrets/rule_file.h"

#include "core/error.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace secrets;

namespace {

struct Options {
  std::string rules_file;
  RuleFileMode mode = RuleFileMode::as_file_says;
  bool json = false;
  bool show_secrets = false;
  bool summary = false;
  bool list_rules = false;
  unsigned threads = 1;
  std::vector<std::string> dirs;
};

[[noreturn]] void usage(const std::string& message) {
  std::cerr << "cscan-secrets-scan: " << message << "\n"
            << "usage: cscan-secrets-scan [--rules FILE [--rules-mode file|add|replace]] [--json] "
               "[--show-secrets] [--threads N] [--summary] DIR...\n"
               "       cscan-secrets-scan --list-rules [--rules FILE]\n";
  std::exit(2);
}

Options parse_args(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        usage(arg + " needs a value");
      }
      return argv[++i];
    };
    if (arg == "--rules") {
      options.rules_file = value();
    } else if (arg == "--rules-mode") {
      std::string mode = value();
      options.mode = mode == "add"       ? RuleFileMode::add
                     : mode == "replace" ? RuleFileMode::replace
                     : mode == "file"    ? RuleFileMode::as_file_says
                                         : (usage("bad --rules-mode " + mode), RuleFileMode::add);
    } else if (arg == "--json") {
      options.json = true;
    } else if (arg == "--show-secrets") {
      options.show_secrets = true;
    } else if (arg == "--summary") {
      options.summary = true;
    } else if (arg == "--list-rules") {
      options.list_rules = true;
    } else if (arg == "--threads") {
      options.threads = static_cast<unsigned>(std::max(1, std::stoi(value())));
    } else if (!arg.empty() && arg[0] == '-') {
      usage("unknown option " + arg);
    } else {
      options.dirs.push_back(arg);
    }
  }
  if (options.dirs.empty() && !options.list_rules) {
    usage("no directory given");
  }
  return options;
}

std::shared_ptr<const RuleSet> load_rules(const Options& options) {
  RuleSpec spec = builtin_rules();
  std::vector<RuleProblem> problems;
  if (!options.rules_file.empty()) {
    spec = resolve_rule_file(options.rules_file, spec, options.mode, problems);
  }
  auto rules = RuleSet::compile(spec, problems);
  for (const auto& problem : problems) {
    std::cerr << "cscan-secrets-scan: warning: rule " << problem.rule_id << ": " << problem.message
              << "\n";
  }
  return rules;
}

/// Reads one file in chunks through the scanner.
std::vector<Finding> scan_one(FileScanner& scanner, const fs::path& file, const std::string& rel,
                              std::vector<char>& buffer, std::uint64_t& bytes) {
  scanner.begin_file({.path = rel});
  if (scanner.wants_content()) {
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      ssize_t n;
      while ((n = ::read(fd, buffer.data(), buffer.size())) > 0) {
        scanner.feed(std::string_view(buffer.data(), static_cast<size_t>(n)));
        bytes += static_cast<std::uint64_t>(n);
      }
      ::close(fd);
    }
  }
  return scanner.end_file();
}

struct WorkItem {
  fs::path file;
  std::string rel;
};

std::vector<WorkItem> list_files(const std::vector<std::string>& dirs) {
  std::vector<WorkItem> items;
  for (const auto& dir : dirs) {
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      std::error_code ec;
      if (entry.is_regular_file(ec) && !entry.is_symlink(ec)) {
        items.push_back({entry.path(), fs::relative(entry.path(), dir).generic_string()});
      }
    }
  }
  return items;
}

void print_finding(const Finding& f, const Options& options) {
  std::cout << severity_name(f.severity) << "\t" << f.rule_id << "\t"
            << describe_location(f.location);
  if (f.location.column != 0) {
    std::cout << ":" << f.location.column;
  }
  std::cout << "\t" << (options.show_secrets ? f.match : f.redacted) << "\n";
}

nlohmann::json to_json(const Finding& f, const Options& options) {
  return {{"rule_id", f.rule_id},           {"severity", severity_name(f.severity)},
          {"description", f.description},   {"path", f.location.path},
          {"line", f.location.line},        {"column", f.location.column},
          {"binary", f.location.in_binary}, {"match", options.show_secrets ? f.match : f.redacted},
          {"entropy", f.entropy},           {"fingerprint", f.fingerprint}};
}

int run(const Options& options) {
  auto rules = load_rules(options);
  if (options.list_rules) {
    for (const auto& rule : rules->rules()) {
      std::cout << rule.spec.id << "\t" << rule.spec.kind << "\t"
                << severity_name(rule.spec.severity) << "\t" << rule.spec.description << "\n";
    }
    return 0;
  }
  const auto started = std::chrono::steady_clock::now();
  const std::vector<WorkItem> items = list_files(options.dirs);
  std::atomic<size_t> next{0};
  std::atomic<std::uint64_t> total_bytes{0};
  std::mutex mutex;
  std::vector<Finding> findings;
  auto worker = [&]() {
    FileScanner scanner(rules);
    std::vector<char> buffer(256 << 10);
    std::uint64_t bytes = 0;
    for (size_t i; (i = next++) < items.size();) {
      auto found = scan_one(scanner, items[i].file, items[i].rel, buffer, bytes);
      if (!found.empty()) {
        std::lock_guard lock(mutex);
        std::move(found.begin(), found.end(), std::back_inserter(findings));
      }
    }
    total_bytes += bytes;
  };
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < options.threads; ++t) {
    threads.emplace_back(worker);
  }
  for (auto& thread : threads) {
    thread.join();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.location.path, a.location.line, a.rule_id) <
           std::tie(b.location.path, b.location.line, b.rule_id);
  });
  if (options.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& f : findings) {
      out.push_back(to_json(f, options));
    }
    std::cout << out.dump(2) << "\n";
  } else if (!options.summary) {
    for (const auto& f : findings) {
      print_finding(f, options);
    }
  }
  if (options.summary) {
    std::map<std::string, size_t> counts;
    for (const auto& f : findings) {
      ++counts[f.rule_id];
    }
    for (const auto& [id, count] : counts) {
      std::cout << id << "\t" << count << "\n";
    }
    std::cerr << "scanned " << items.size() << " files, " << total_bytes.load() << " bytes in "
              << seconds << " s (" << (static_cast<double>(total_bytes.load()) / 1e6 / seconds)
              << " MB/s), " << findings.size() << " findings\n";
  }
  return findings.empty() ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
  try {
    return run(parse_args(argc, argv));
  } catch (const core::InputError& e) {
    std::cerr << "cscan-secrets-scan: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "cscan-secrets-scan: error: " << e.what() << "\n";
    return 2;
  }
}
