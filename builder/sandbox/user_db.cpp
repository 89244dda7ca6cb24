#include "builder/sandbox/user_db.h"

#include "core/error.h"
#include "core/unique_fd.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <charconv>
#include <sstream>

namespace builder::sandbox {
namespace {

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, ':')) {
    fields.push_back(field);
  }
  if (!line.empty() && line.back() == ':') {
    fields.emplace_back();
  }
  return fields;
}

std::optional<std::uint32_t> parse_id(std::string_view text) {
  std::uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

// Lines of a colon-separated database with at least `min_fields` fields.
std::vector<std::vector<std::string>> records(std::string_view text, std::size_t min_fields) {
  std::vector<std::vector<std::string>> out;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') {
      continue;
    }
    auto fields = split_fields(line);
    if (fields.size() >= min_fields) {
      out.push_back(std::move(fields));
    }
  }
  return out;
}

std::optional<std::string> read_in_root(const std::filesystem::path& root,
                                        std::string_view relative) {
  core::UniqueFd dir(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir) {
    return std::nullopt;
  }
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  std::string path(relative);
  core::UniqueFd fd(
      static_cast<int>(::syscall(SYS_openat2, dir.get(), path.c_str(), &how, sizeof how)));
  if (!fd) {
    return std::nullopt;
  }
  std::string text;
  char buffer[8192];
  for (ssize_t n; (n = ::read(fd.get(), buffer, sizeof buffer)) > 0;) {
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > (16u << 20)) {
      throw core::InputError("rootfs: '" + path + "' is larger than 16 MiB");
    }
  }
  return text;
}

} // namespace

std::optional<std::string> read_rootfs_file(const Rootfs& rootfs, std::string_view relative) {
  std::vector<std::filesystem::path> roots;
  if (!rootfs.lower_dirs.empty()) {
    if (!rootfs.upper_dir.empty()) {
      roots.push_back(rootfs.upper_dir);
    }
    roots.insert(roots.end(), rootfs.lower_dirs.begin(), rootfs.lower_dirs.end());
  } else {
    roots.push_back(rootfs.directory);
  }
  for (const auto& root : roots) {
    if (auto text = read_in_root(root, relative)) {
      return text;
    }
  }
  return std::nullopt;
}

ResolvedUser resolve_user(std::string_view user, std::string_view passwd_text,
                          std::string_view group_text) {
  std::string_view user_part = user.substr(0, user.find(':'));
  std::optional<std::string_view> group_part;
  if (auto colon = user.find(':'); colon != std::string_view::npos) {
    group_part = user.substr(colon + 1);
  }
  if (user_part.empty()) {
    user_part = "0";
  }

  ResolvedUser out;
  std::string name;
  bool found = false;
  auto numeric_uid = parse_id(user_part);
  for (const auto& f : records(passwd_text, 7)) {
    auto uid = parse_id(f[2]);
    // A numeric user is always a uid, never a name (runc's GetExecUser).
    if (numeric_uid ? uid == numeric_uid : f[0] == user_part) {
      out.uid = uid.value_or(0);
      out.gid = parse_id(f[3]).value_or(0);
      out.home = f[5].empty() ? "/" : f[5];
      name = f[0];
      found = true;
      break;
    }
  }
  if (!found) {
    if (!numeric_uid) {
      throw core::InputError("unable to find user " + std::string(user_part) +
                             ": no matching entries in passwd file");
    }
    out.uid = *numeric_uid;
  }

  const auto groups = records(group_text, 3);
  if (group_part) {
    auto numeric_gid = parse_id(*group_part);
    bool group_found = false;
    for (const auto& f : groups) {
      if (f[0] == *group_part || (numeric_gid && parse_id(f[2]) == numeric_gid)) {
        out.gid = parse_id(f[2]).value_or(0);
        group_found = true;
        break;
      }
    }
    if (!group_found) {
      if (!numeric_gid) {
        throw core::InputError("unable to find group " + std::string(*group_part) +
                               ": no matching entries in group file");
      }
      out.gid = *numeric_gid;
    }
  }
  // Supplementary groups only in the implicit form: "app:staff" runs with
  // staff alone, as runc and BuildKit do.
  if (!name.empty() && !group_part) {
    for (const auto& f : groups) {
      std::istringstream members(f.size() > 3 ? f[3] : "");
      for (std::string member; std::getline(members, member, ',');) {
        auto gid = parse_id(f[2]);
        if (member == name && gid && *gid != out.gid) {
          out.groups.push_back(*gid);
        }
      }
    }
  }
  return out;
}

} // namespace builder::sandbox
