#include "builder/copy_step.h"

#include "builder/add_archive.h"
#include "core/error.h"
#include "dockerfile-parser/dockerignore.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
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

/// The part of a --parents source before its `/./` pivot, cleaned ("" when
/// the source has no pivot: the whole path is kept).
std::string pivot_of(const std::string& source) {
  size_t at = source.find("/./");
  if (at == std::string::npos) {
    return "";
  }
  std::string head = strip_slashes(source.substr(0, at));
  return head == "." ? "" : head;
}

/// True when the source as written selects context path `rel`.
bool source_selects(const std::string& source, const std::string& rel) {
  std::string clean = strip_slashes(source);
  return clean == "." || clean == rel || ::fnmatch(clean.c_str(), rel.c_str(), FNM_PATHNAME) == 0;
}

/// The path --parents keeps of the selected `rel`: below the pivot of the
/// source that selected it, else all of it.
std::string kept_path(const CopyPlan& plan, const std::string& rel) {
  for (const std::string& source : plan.sources) {
    if (!source_selects(source, rel)) {
      continue;
    }
    std::string pivot = pivot_of(source);
    if (pivot.empty()) {
      return rel;
    }
    if (rel == pivot) {
      return ".";
    }
    return rel.starts_with(pivot + "/") ? rel.substr(pivot.size() + 1) : rel;
  }
  return rel;
}

/// --exclude patterns, matched like .dockerignore lines against each path
/// relative to the source it is copied from (a matching directory takes
/// everything below it along).
struct Excludes {
  dockerfile::DockerIgnore patterns;

  static Excludes of(const CopyPlan& plan) {
    std::string text;
    for (const std::string& pattern : plan.excludes) {
      text += pattern + "\n";
    }
    std::string error;
    Excludes out{dockerfile::DockerIgnore::parse(text, error)};
    if (!error.empty()) {
      throw core::InputError("--exclude: " + error);
    }
    return out;
  }

  bool excluded(const std::string& rel) const {
    return !patterns.empty() && !rel.empty() && rel != "." && patterns.is_excluded(rel);
  }

  /// A path a wildcard selected is excluded by its own name, so that
  /// `--exclude=*.txt hom*` leaves out home.txt as Docker documents.
  bool excluded_match(const CopyPlan& plan, const std::string& rel) const {
    if (patterns.empty()) {
      return false;
    }
    for (const std::string& source : plan.sources) {
      if (has_wildcard(source) && source_selects(source, rel)) {
        return excluded(fs::path(rel).filename().string());
      }
    }
    return false;
  }
};

struct Writer {
  const CopyPlan& plan;
  const CopySource& from;
  const RootfsLookup& lookup;
  fs::path tree;
  Excludes excludes;
  const ReuseFile& reuse;
  std::vector<std::pair<fs::path, std::int64_t>> dir_times{};

  fs::path source_base() const { return from.context ? from.context->dir() : from.root; }
  fs::path source_path(const std::string& rel) const {
    return rel == "." ? source_base() : source_base() / rel;
  }

  uid_t owner_uid(const struct stat& st) const {
    return plan.uid.value_or(from.context ? 0 : st.st_uid);
  }
  gid_t owner_gid(const struct stat& st) const {
    return plan.gid.value_or(from.context ? 0 : st.st_gid);
  }
  mode_t target_mode(const struct stat& st) const {
    return plan.chmod ? plan.chmod->apply(st.st_mode, S_ISDIR(st.st_mode)) : (st.st_mode & 07777);
  }

  void set_owner_mode_time(const fs::path& dst, const struct stat& st, bool is_link) {
    uid_t uid = owner_uid(st);
    gid_t gid = owner_gid(st);
    // Without root (unit tests) files stay ours; builds run as root.
    if (::lchown(dst.c_str(), uid, gid) != 0 && ::geteuid() == 0) {
      core::throw_errno("chown", dst.string());
    }
    if (!is_link) {
      mode_t mode = target_mode(st);
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

  /// A directory over what the image has as a symlink or file: BuildKit
  /// refuses ("cannot copy to non-directory"); replacing it would drop a
  /// merged-/usr link such as /bin -> usr/bin with everything behind it.
  void refuse_non_directory(const fs::path& dst) {
    std::string image_path =
        (fs::path("/") / dst.lexically_relative(tree)).lexically_normal().generic_string();
    std::optional<PathInfo> info = lookup(image_path);
    if (info && !S_ISDIR(info->mode)) {
      throw core::InputError(
          "cannot copy to non-directory: " + image_path +
          (S_ISLNK(info->mode) ? " is a symlink in the image; copy into its target instead"
                               : " is a file in the image"));
    }
  }

  void copy_one(const fs::path& src, const fs::path& dst) {
    struct stat st {};
    if (::lstat(src.c_str(), &st) != 0) {
      core::throw_errno("stat", src.string());
    }
    std::error_code ec;
    if (S_ISDIR(st.st_mode)) {
      if (!fs::is_directory(dst)) {
        refuse_non_directory(dst);
        fs::remove(dst, ec);
        fs::create_directory(dst);
      }
    } else if (S_ISLNK(st.st_mode)) {
      fs::remove(dst, ec);
      fs::create_symlink(fs::read_symlink(src), dst);
    } else if (S_ISREG(st.st_mode)) {
      fs::remove_all(dst, ec);
      if (reuse && reuse(src, st, dst.lexically_relative(tree).lexically_normal().generic_string(),
                         dst, target_mode(st), owner_uid(st), owner_gid(st))) {
        return; // linked: the earlier file has this content, owner, mode and mtime
      }
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

  /// ADD of a local archive (unless --unpack=false): extracted, not copied.
  bool is_add_archive(const std::string& rel) {
    struct stat st {};
    fs::path path = source_path(rel);
    return plan.add && plan.unpack.value_or(true) && ::lstat(path.c_str(), &st) == 0 &&
           S_ISREG(st.st_mode) && is_extractable_archive(path);
  }

  std::optional<core::OwnerOverride> owner_override() const {
    if (!plan.uid) {
      return std::nullopt;
    }
    return core::OwnerOverride{*plan.uid, plan.gid.value_or(*plan.uid)};
  }

  /// An ADD URL source: mode 0600 unless --chmod, the server's
  /// Last-Modified as mtime (Docker's rules); an archive only with --unpack.
  void write_remote(const RemoteFile& file, const fs::path& target_dir, bool into_dir,
                    const fs::path& dest_file) {
    if (plan.unpack.value_or(false) && is_extractable_archive(file.path)) {
      extract_archive(file.path, target_dir, owner_override(), file.url);
      return;
    }
    fs::path dst = into_dir ? target_dir / file.name : dest_file;
    std::error_code ec;
    fs::remove(dst, ec);
    fs::copy_file(file.path, dst);
    if (::chown(dst.c_str(), plan.uid.value_or(0), plan.gid.value_or(0)) != 0 && ::geteuid() == 0) {
      core::throw_errno("chown", dst.string());
    }
    if (::chmod(dst.c_str(), plan.chmod ? plan.chmod->apply(S_IFREG | 0600, false) : 0600) != 0) {
      core::throw_errno("chmod", dst.string());
    }
    if (file.last_modified) {
      struct timespec times[2] = {{*file.last_modified, 0}, {*file.last_modified, 0}};
      ::utimensat(AT_FDCWD, dst.c_str(), times, 0);
    }
  }

  /// Copies the file or directory contents of `rel` to `dst`.
  void copy_selected(const std::string& rel, const fs::path& dst) {
    fs::path src = source_path(rel);
    struct stat st {};
    if (::lstat(src.c_str(), &st) != 0) {
      core::throw_errno("stat", src.string());
    }
    if (S_ISDIR(st.st_mode)) {
      copy_dir_contents(rel, dst);
      return;
    }
    copy_one(src, dst);
  }

  void copy_dir_contents(const std::string& rel, const fs::path& target_dir) {
    if (from.context) {
      std::string prefix = rel == "." ? "" : rel + "/";
      for (const ContextEntry* entry : from.context->subtree(rel)) {
        std::string below = entry->path == rel ? "" : entry->path.substr(prefix.size());
        if (below.empty() || excludes.excluded(below)) {
          continue;
        }
        copy_one(from.context->dir() / entry->path, target_dir / below);
      }
      return;
    }
    fs::path base = source_path(rel);
    for (auto it = fs::recursive_directory_iterator(base); it != fs::recursive_directory_iterator();
         ++it) {
      // Lexically: fs::relative() would follow a symlink to its target.
      std::string below = it->path().lexically_relative(base).generic_string();
      if (excludes.excluded(below)) {
        if (it->is_directory() && !it->is_symlink()) {
          it.disable_recursion_pending();
        }
        continue;
      }
      copy_one(it->path(), target_dir / below);
    }
  }

  /// --parents: `rel` goes to dest/<kept path>, its parent directories
  /// copied from the source with their metadata.
  void copy_with_parents(const std::string& rel, const fs::path& dest) {
    std::string kept = kept_path(plan, rel);
    std::string base = rel.substr(0, rel.size() - (kept == "." ? 0 : kept.size()));
    fs::path walked = dest;
    std::string source_walked = base;
    fs::path kept_path_obj(kept);
    for (auto it = kept_path_obj.begin(); it != kept_path_obj.end(); ++it) {
      if (std::next(it) == kept_path_obj.end() || *it == ".") {
        break;
      }
      walked /= *it;
      source_walked += it->string();
      if (!fs::is_directory(walked)) {
        copy_one(source_path(source_walked), walked);
      }
      source_walked += "/";
    }
    fs::path target = kept == "." ? dest : dest / kept;
    if (fs::is_directory(source_path(rel)) && !fs::is_symlink(source_path(rel))) {
      copy_one(source_path(rel), target);
    }
    copy_selected(rel, target);
  }
};

/// `rel` with symlinks in its last element followed inside `base`, as
/// Docker follows a source that is a symlink (a link's target is read
/// relative to the link, or to `base` when absolute; at most 40 hops).
std::string follow_source(const fs::path& base, const std::string& rel) {
  std::string current = rel;
  for (int hop = 0; hop < 40; ++hop) {
    fs::path full = current == "." ? base : base / current;
    struct stat st {};
    if (::lstat(full.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) {
      return current;
    }
    std::string target = fs::read_symlink(full).string();
    std::string joined = target.starts_with("/")
                             ? target
                             : "/" + fs::path(current).parent_path().string() + "/" + target;
    current = strip_slashes(joined);
  }
  throw core::InputError("source '" + rel + "': too many levels of symbolic links");
}

bool is_directory_source(const fs::path& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

} // namespace

std::vector<std::string> select_sources(const CopyPlan& plan, const CopySource& from) {
  std::vector<std::string> out;
  for (const std::string& source : plan.sources) {
    if (is_remote_source(source)) {
      if (!plan.add) {
        throw core::InputError("COPY does not download URLs ('" + source + "'); use ADD");
      }
      continue; // downloaded, not selected from the context
    }
    if (source.find("://") != std::string::npos) {
      throw core::InputError("ADD " + source + ": only http:// and https:// URLs are supported");
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
  bool remote = std::any_of(plan.sources.begin(), plan.sources.end(),
                            [](const std::string& s) { return is_remote_source(s); });
  if (out.empty() && plan.inline_files.empty() && !remote) {
    throw core::InputError("no source files were specified or matched");
  }
  return out;
}

std::vector<std::string> copied_context_paths(const CopyPlan& plan, const BuildContext& context,
                                              const std::vector<std::string>& selected) {
  Excludes excludes = Excludes::of(plan);
  std::vector<std::string> out;
  for (const std::string& rel : selected) {
    if (excludes.excluded_match(plan, rel)) {
      continue;
    }
    std::string real = follow_source(context.dir(), rel);
    std::string prefix = real == "." ? "" : real + "/";
    for (const ContextEntry* entry : context.subtree(real)) {
      std::string below = entry->path == real ? "" : entry->path.substr(prefix.size());
      if (!excludes.excluded(below)) {
        out.push_back(entry->path);
      }
    }
  }
  return out;
}

void write_copy_tree(const CopyPlan& plan, const CopySource& from,
                     const std::vector<std::string>& selected, const RootfsLookup& lookup,
                     const fs::path& tree, const ReuseFile& reuse) {
  Writer writer{plan, from, lookup, tree, Excludes::of(plan), reuse};
  if (plan.sources.size() + plan.inline_files.size() > 1 && !plan.dest_is_dir) {
    throw core::InputError("when using COPY with more than one source file, the destination must "
                           "be a directory and end with a /");
  }
  std::vector<std::string> kept;
  for (const std::string& rel : selected) {
    if (!writer.excludes.excluded_match(plan, rel)) {
      kept.push_back(rel);
    }
  }
  std::optional<PathInfo> existing = lookup(plan.dest);
  // A file goes into the destination when it is a directory: written with
  // a trailing '/', already one in the image, or several files were matched.
  size_t count = kept.size() + plan.inline_files.size() + plan.remote_files.size();
  bool into_dir =
      plan.dest_is_dir || plan.parents || count > 1 || (existing && S_ISDIR(existing->mode));
  fs::path dest = tree / strip_slashes(plan.dest);
  writer.make_dirs(into_dir ? plan.dest : fs::path(plan.dest).parent_path().string());
  for (const std::string& rel : kept) {
    std::string real = follow_source(writer.source_base(), rel);
    if (plan.parents) {
      writer.copy_with_parents(rel, dest);
    } else if (writer.is_add_archive(real)) {
      writer.make_dirs(plan.dest);
      extract_archive(writer.source_path(real), dest, writer.owner_override(), real);
    } else if (is_directory_source(writer.source_path(real))) {
      writer.make_dirs(plan.dest);
      writer.copy_selected(real, dest);
    } else {
      writer.copy_selected(real, into_dir ? dest / writer.source_path(rel).filename() : dest);
    }
  }
  for (const RemoteFile& file : plan.remote_files) {
    writer.write_remote(file, into_dir ? dest : dest.parent_path(), into_dir, dest);
  }
  for (const auto& [name, body] : plan.inline_files) {
    fs::path file = into_dir ? dest / name : dest;
    std::ofstream(file, std::ios::binary) << body;
    ::chown(file.c_str(), plan.uid.value_or(0), plan.gid.value_or(0));
    ::chmod(file.c_str(), plan.chmod ? plan.chmod->apply(S_IFREG | 0644, false) : 0644);
  }
  // Directory times last: writing into a directory changes its mtime.
  for (auto it = writer.dir_times.rbegin(); it != writer.dir_times.rend(); ++it) {
    struct timespec times[2] = {{it->second, 0}, {it->second, 0}};
    ::utimensat(AT_FDCWD, it->first.c_str(), times, AT_SYMLINK_NOFOLLOW);
  }
}

} // namespace builder
