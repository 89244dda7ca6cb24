#include "core/root_path.h"

#include "core/path_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <vector>

namespace core {
namespace {

constexpr int k_max_symlinks = 40;

std::deque<std::string> split(std::string_view path) {
  std::deque<std::string> parts;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) {
      slash = path.size();
    }
    std::string_view part = path.substr(pos, slash - pos);
    if (!part.empty() && part != ".") {
      parts.emplace_back(part);
    }
    pos = slash + 1;
  }
  return parts;
}

UniqueFd open_dir_at(int dir_fd, const char* name, std::string_view shown) {
  int fd = ::openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    throw_errno("open directory", shown);
  }
  return UniqueFd(fd);
}

std::string read_link_at(int dir_fd, const std::string& name, std::string_view shown) {
  std::string target(256, '\0');
  for (;;) {
    ssize_t n = ::readlinkat(dir_fd, name.c_str(), target.data(), target.size());
    if (n < 0) {
      throw_errno("readlink", shown);
    }
    if (static_cast<size_t>(n) < target.size()) {
      target.resize(static_cast<size_t>(n));
      return target;
    }
    target.resize(target.size() * 2);
  }
}

} // namespace

UniqueFd open_dir_in_root(int root_fd, std::string_view path, CreateMissing create) {
  // `stack` holds the directories walked so far (stack[0] is the root) so
  // that ".." can step back without ever opening anything above the root.
  std::vector<UniqueFd> stack;
  std::vector<std::string> names; // the path walked, for messages
  stack.push_back(open_dir_at(root_fd, ".", "."));
  std::deque<std::string> todo = split(path);
  int links = 0;
  auto shown = [&](const std::string& last) {
    std::string out;
    for (const auto& n : names) {
      out += n + "/";
    }
    return out + last;
  };
  while (!todo.empty()) {
    std::string part = std::move(todo.front());
    todo.pop_front();
    if (part == "..") {
      if (stack.size() == 1) {
        throw PathEscapeError("path escapes root");
      }
      stack.pop_back();
      names.pop_back();
      continue;
    }
    int dir = stack.back().get();
    struct stat st {};
    if (::fstatat(dir, part.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno != ENOENT || create == CreateMissing::no) {
        throw_errno("stat", shown(part));
      }
      if (::mkdirat(dir, part.c_str(), 0755) != 0 && errno != EEXIST) {
        throw_errno("create directory", shown(part));
      }
      st.st_mode = S_IFDIR;
    }
    if (S_ISLNK(st.st_mode)) {
      if (++links > k_max_symlinks) {
        throw PathEscapeError("too many levels of symlinks at '" + shown(part) + "'");
      }
      std::string target = read_link_at(dir, part, shown(part));
      std::deque<std::string> more = split(target);
      // Each ".." of a relative target is checked when it is walked; an
      // escape is reported against the symlink that caused it.
      size_t depth = stack.size() - 1;
      if (!target.empty() && target[0] == '/') {
        stack.resize(1);
        names.clear();
        depth = 0;
      }
      for (const auto& m : more) {
        if (m == "..") {
          if (depth == 0) {
            throw PathEscapeError("path escapes root through symlink '" + shown(part) + "' -> '" +
                                  target + "'");
          }
          --depth;
        } else {
          ++depth;
        }
      }
      todo.insert(todo.begin(), more.begin(), more.end());
      continue;
    }
    if (!S_ISDIR(st.st_mode)) {
      throw Error("open directory '" + shown(part) + "': not a directory");
    }
    stack.push_back(open_dir_at(dir, part.c_str(), shown(part)));
    names.push_back(part);
  }
  return std::move(stack.back());
}

} // namespace core
