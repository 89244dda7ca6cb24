#include "builder/copy_step.h"

#include "core/error.h"
#include "core/layer_apply.h"
#include "core/stream.h"

#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>

namespace builder {

namespace fs = std::filesystem;

namespace {

std::string strip_slashes(const std::string& path) {
  std::string clean = dockerfile::clean_path(path);
  while (clean.starts_with("/")) {
    clean.erase(0, 1);
  }
  return clean.empty() ? "." : clean;
}

bool has_wildcard(const std::string& text) {
  return text.find_first_of("*?[") != std::string::npos;
}

std::vector<std::string> glob_under(const fs::path& root, const std::string& pattern) {
  if (pattern == ".") {
    return {"."};
  }
  std::string full = (root / pattern).string();
  glob_t result{};
  std::vector<std::string> out;
  if (::glob(full.c_str(), GLOB_NOSORT, nullptr, &result) == 0) {
    std::string prefix = root.string() + "/";
    for (size_t i = 0; i < result.gl_pathc; ++i) {
      std::string path = result.gl_pathv[i];
      out.push_back(path.starts_with(prefix) ? path.substr(prefix.size()) : path);
    }
  }
  ::globfree(&result);
  std::sort(out.begin(), out.end());
  return out;
}

struct Writer {
  const CopyPlan& plan;
  const CopySource& from;
  const RootfsLookup& lookup;
  fs::path tree;
  std::vector<std::pair<fs::path, std::int64_t>> dir_times{};

  fs::path source_base() const { return from.context ? from.context->dir() : from.root; }

  void set_owner_mode_time(const fs::path& dst, const struct stat& st, bool is_link) {
    uid_t uid = plan.uid.value_or(from.context ? 0 : st.st_uid);
    gid_t gid = plan.gid.value_or(from.context ? 0 : st.st_gid);
    // Without root (unit tests) files stay ours; builds run as root.
    if (::lchown(dst.c_str(), uid, gid) != 0 && ::geteuid() == 0) {
      core::throw_errno("chown", dst.string());
    }
    if (!is_link) {
      mode_t mode = plan.chmod ? *plan.chmod : (st.st_mode & 07777);
      if (::chmod(dst.c_str(), mode) != 0) {
        core::throw_errno("chmod", dst.string());
      }
    }
    struct timespec times[2] = {st.st_mtim, st.st_mtim};
    if (S_ISDIR(st.st_mode)) {
      dir_times.emplace_back(dst, st.st_mtim.tv_sec);
      return;
    }
    ::utimensat(AT_FDCWD, dst.c_str(), times, AT_SYMLINK_NOFOLLOW);
  }

  void copy_one(const fs::path& src, const fs::path& dst) {
    struct stat st {};
    if (::lstat(src.c_str(), &st) != 0) {
      core::throw_errno("stat", src.string());
    }
    std::error_code ec;
    if (S_ISDIR(st.st_mode)) {
      if (!fs::is_directory(dst)) {
        fs::remove(dst, ec);
        fs::create_directory(dst);
      }
    } else if (S_ISLNK(st.st_mode)) {
      fs::remove(dst, ec);
      fs::create_symlink(fs::read_symlink(src), dst);
    } else if (S_ISREG(st.st_mode)) {
      fs::remove(dst, ec);
      fs::copy_file(src, dst);
    } else {
      return; // devices, FIFOs and sockets of a context are not copied
    }
    set_owner_mode_time(dst, st, S_ISLNK(st.st_mode));
  }

  /// Makes directory `image_path` (and its parents) in the tree.
  void make_dirs(const std::string& image_path) {
    fs::path current = tree;
    std::string walked;
    for (const fs::path& part : fs::path(image_path)) {
      if (part.empty() || part == "/" || part == ".") {
        continue;
      }
      walked += "/" + part.string();
      current /= part;
      if (fs::is_directory(current)) {
        continue;
      }
      fs::create_directory(current);
      std::optional<PathInfo> info = lookup(walked);
      if (info && S_ISDIR(info->mode)) {
        ::chown(current.c_str(), info->uid, info->gid);
        ::chmod(current.c_str(), info->mode & 07777);
        dir_times.emplace_back(current, info->mtime);
      } else {
        ::chown(current.c_str(), plan.uid.value_or(0), plan.gid.value_or(0));
        ::chmod(current.c_str(), 0755);
      }
    }
  }

  bool is_archive(const fs::path& path) {
    unsigned char head[512] = {};
    std::ifstream in(path, std::ios::binary);
    in.read(reinterpret_cast<char*>(head), sizeof head);
    std::streamsize n = in.gcount();
    if (n >= 2 && head[0] == 0x1f && head[1] == 0x8b) {
      return true;
    }
    if (n >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd) {
      return true;
    }
    return n >= 262 && std::memcmp(head + 257, "ustar", 5) == 0;
  }

  void copy_selected(const std::string& rel, const fs::path& target_dir, bool into_dir,
                     const fs::path& dest_file) {
    fs::path src = rel == "." ? source_base() : source_base() / rel;
    struct stat st {};
    if (::lstat(src.c_str(), &st) != 0) {
      core::throw_errno("stat", src.string());
    }
    if (S_ISDIR(st.st_mode)) {
      copy_dir_contents(rel, target_dir);
      return;
    }
    if (plan.add && S_ISREG(st.st_mode) && is_archive(src)) {
      core::FdInputStream in = core::FdInputStream::open(src);
      core::apply_layer(in, target_dir, "ADD " + rel);
      return;
    }
    copy_one(src, into_dir ? target_dir / src.filename() : dest_file);
  }

  void copy_dir_contents(const std::string& rel, const fs::path& target_dir) {
    if (from.context) {
      std::string prefix = rel == "." ? "" : rel + "/";
      for (const ContextEntry* entry : from.context->subtree(rel)) {
        if (entry->path == rel) {
          continue;
        }
        copy_one(from.context->dir() / entry->path, target_dir / entry->path.substr(prefix.size()));
      }
      return;
    }
    fs::path base = rel == "." ? from.root : from.root / rel;
    for (auto it = fs::recursive_directory_iterator(base); it != fs::recursive_directory_iterator();
         ++it) {
      copy_one(it->path(), target_dir / fs::relative(it->path(), base));
    }
  }
};

} // namespace

std::vector<std::string> select_sources(const CopyPlan& plan, const CopySource& from) {
  std::vector<std::string> out;
  for (const std::string& source : plan.sources) {
    if (source.find("://") != std::string::npos) {
      throw core::InputError("ADD " + source + ": sources from URLs are not supported yet");
    }
    std::string clean = strip_slashes(source);
    std::vector<std::string> matched =
        from.context ? from.context->match(clean) : glob_under(from.root, clean);
    if (matched.empty() && has_wildcard(clean)) {
      continue; // Docker accepts a wildcard that matches nothing if another source matches
    }
    if (matched.empty()) {
      if (from.context && from.context->ignored(clean)) {
        throw core::InputError("source '" + source +
                               "' is excluded by .dockerignore; remove it from there to copy it");
      }
      throw core::InputError("source '" + source + "' not found" +
                             (from.context ? " in the build context" : ""));
    }
    out.insert(out.end(), matched.begin(), matched.end());
  }
  if (out.empty() && plan.inline_files.empty()) {
    throw core::InputError("no source files were specified or matched");
  }
  return out;
}

void write_copy_tree(const CopyPlan& plan, const CopySource& from,
                     const std::vector<std::string>& selected, const RootfsLookup& lookup,
                     const fs::path& tree) {
  Writer writer{plan, from, lookup, tree};
  size_t count = selected.size() + plan.inline_files.size();
  bool wildcard = std::any_of(plan.sources.begin(), plan.sources.end(), has_wildcard);
  if (count > 1 && !plan.dest_is_dir) {
    throw core::InputError("when using COPY with more than one source file, the destination must "
                           "be a directory and end with a /");
  }
  std::optional<PathInfo> existing = lookup(plan.dest);
  bool into_dir = plan.dest_is_dir || wildcard || (existing && S_ISDIR(existing->mode));
  fs::path dest = tree / strip_slashes(plan.dest);
  writer.make_dirs(into_dir ? plan.dest : fs::path(plan.dest).parent_path().string());
  for (const std::string& rel : selected) {
    struct stat st {};
    fs::path src = rel == "." ? writer.source_base() : writer.source_base() / rel;
    if (::lstat(src.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      writer.make_dirs(plan.dest);
      writer.copy_selected(rel, dest, true, dest);
    } else {
      writer.copy_selected(rel, into_dir ? dest : dest.parent_path(), into_dir, dest);
    }
  }
  for (const auto& [name, body] : plan.inline_files) {
    fs::path file = into_dir ? dest / name : dest;
    std::ofstream(file, std::ios::binary) << body;
    ::chown(file.c_str(), plan.uid.value_or(0), plan.gid.value_or(0));
    ::chmod(file.c_str(), plan.chmod.value_or(0644));
  }
  // Directory times last: writing into a directory changes its mtime.
  for (auto it = writer.dir_times.rbegin(); it != writer.dir_times.rend(); ++it) {
    struct timespec times[2] = {{it->second, 0}, {it->second, 0}};
    ::utimensat(AT_FDCWD, it->first.c_str(), times, AT_SYMLINK_NOFOLLOW);
  }
}

} // namespace builder
