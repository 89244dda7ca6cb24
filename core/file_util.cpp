#include "core/file_util.h"

#include "core/error.h"
#include "core/scope_exit.h"
#include "core/stream.h"
#include "core/unique_fd.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace core {

namespace fs = std::filesystem;

void fsync_directory(const fs::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) {
    throw_errno("open directory", dir.string());
  }
  if (::fsync(fd.get()) != 0) {
    throw_errno("fsync directory", dir.string());
  }
}

void write_file_atomic(const fs::path& path, std::string_view data) {
  fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  std::string temp = (dir / ("." + path.filename().string() + ".tmp-XXXXXX")).string();
  UniqueFd fd(::mkostemp(temp.data(), O_CLOEXEC));
  if (!fd) {
    throw_errno("create temp file", temp);
  }
  ScopeExit remove_temp([&temp] { ::unlink(temp.c_str()); });
  int raw = fd.get();
  FdOutputStream out(std::move(fd), temp);
  out.write(data);
  if (::fchmod(raw, 0644) != 0) {
    throw_errno("chmod", temp);
  }
  if (::fsync(raw) != 0) {
    throw_errno("fsync", temp);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    throw_errno("rename '" + temp + "' to", path.string());
  }
  remove_temp.release();
  fsync_directory(dir);
}

} // namespace core
