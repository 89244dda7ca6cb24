#include "builder/layered_path.h"

#include "builder/union_tree.h"
#include "core/error.h"

#include <sys/stat.h>
#include <unistd.h>

#include <deque>
#include <optional>

namespace builder {

namespace fs = std::filesystem;

namespace {

constexpr int k_max_symlinks = 40;

std::deque<std::string> split(const std::string& path) {
  std::deque<std::string> parts;
  size_t pos = 0;
  while (pos < path.size()) {
    size_t slash = path.find('/', pos);
    std::string part = path.substr(pos, slash == std::string::npos ? slash : slash - pos);
    if (!part.empty()) {
      parts.push_back(part);
    }
    if (slash == std::string::npos) {
      break;
    }
    pos = slash + 1;
  }
  return parts;
}

/// The union's entry for `rel` (union_tree.h), or nullopt (absent or whited out).
std::optional<fs::path> find_entry(const std::vector<fs::path>& layers, const std::string& rel,
                                   struct stat& st) {
  std::optional<UnionEntry> entry = union_lookup(layers, rel);
  if (!entry) {
    return std::nullopt;
  }
  st = entry->st;
  return entry->file;
}

std::string read_link(const fs::path& link) {
  char buffer[4096];
  ssize_t n = ::readlink(link.c_str(), buffer, sizeof buffer);
  if (n < 0) {
    core::throw_errno("read symlink", link.string());
  }
  return std::string(buffer, static_cast<size_t>(n));
}

std::string join(const std::vector<std::string>& parts, size_t count) {
  std::string out;
  for (size_t i = 0; i < count && i < parts.size(); ++i) {
    out += "/" + parts[i];
  }
  return out.empty() ? "/" : out;
}

} // namespace

std::string ResolvedPath::str() const {
  return join(parts, parts.size());
}

std::string ResolvedPath::prefix(size_t count) const {
  return join(parts, count);
}

ResolvedPath resolve_in_layers(const std::vector<fs::path>& layers, const std::string& path) {
  ResolvedPath out;
  std::deque<std::string> pending = split(path);
  bool missing = false;
  int links = 0;
  while (!pending.empty()) {
    std::string part = std::move(pending.front());
    pending.pop_front();
    if (part == ".") {
      continue;
    }
    if (part == "..") {
      if (!out.parts.empty()) {
        out.parts.pop_back();
        out.existing = std::min(out.existing, out.parts.size());
      }
      continue;
    }
    out.parts.push_back(part);
    if (missing) {
      continue;
    }
    struct stat st {};
    std::optional<fs::path> entry = find_entry(layers, out.str().substr(1), st);
    if (!entry) {
      missing = true;
      continue;
    }
    if (!S_ISLNK(st.st_mode)) {
      out.existing = out.parts.size();
      continue;
    }
    if (++links > k_max_symlinks) {
      throw core::InputError("too many levels of symbolic links resolving '" + path + "'");
    }
    std::string target = read_link(*entry);
    out.parts.pop_back();
    if (target.starts_with("/")) {
      out.parts.clear();
      out.existing = 0;
    }
    std::deque<std::string> more = split(target);
    pending.insert(pending.begin(), more.begin(), more.end());
  }
  return out;
}

} // namespace builder
