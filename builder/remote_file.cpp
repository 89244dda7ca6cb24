#include "builder/remote_file.h"

#include "core/error.h"
#include "core/scope_exit.h"
#include "core/stream.h"

#include "registry/curl_library.h"
#include <fcntl.h>

#include <exception>
#include <memory>
#include <mutex>

namespace builder {

namespace fs = std::filesystem;

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

/// The path of a URL, percent-decoded like Go's url.URL.Path.
std::string url_path(std::string_view url) {
  size_t scheme = url.find("://");
  std::string_view rest = scheme == std::string_view::npos ? url : url.substr(scheme + 3);
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) {
    return "";
  }
  std::string_view path = rest.substr(slash);
  path = path.substr(0, path.find_first_of("?#"));
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%' && i + 2 < path.size() && hex_value(path[i + 1]) >= 0 &&
        hex_value(path[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(path[i + 1]) * 16 + hex_value(path[i + 2]));
      i += 2;
    } else {
      out += path[i];
    }
  }
  return out;
}

struct CurlCleanup {
  void operator()(CURL* curl) const { registry::curl_library().easy_cleanup(curl); }
};

using CurlHandle = std::unique_ptr<CURL, CurlCleanup>;

/// Where libcurl's write callback puts the body: the file and the hash.
/// Exceptions cannot cross libcurl, so the first one is kept for later.
struct Sink {
  core::FdOutputStream* out;
  core::Sha256 hash;
  std::exception_ptr error;
};

size_t write_body(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  try {
    sink->out->write(data, size * count);
    sink->hash.update(data, size * count);
    return size * count;
  } catch (...) {
    sink->error = std::current_exception();
    return 0; // makes libcurl stop with CURLE_WRITE_ERROR
  }
}

template <class T> void set_option(CURL* curl, CURLoption option, T value) {
  if (registry::curl_library().easy_setopt(curl, option, value) != CURLE_OK) {
    throw core::Error("libcurl: setting option " + std::to_string(option) + " failed");
  }
}

/// Configures `curl` to GET `url` into `sink`, following redirects between
/// http and https only.
void configure(CURL* curl, const std::string& url, Sink& sink, char* error_buffer) {
  set_option(curl, CURLOPT_URL, url.c_str());
  set_option(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  set_option(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  set_option(curl, CURLOPT_FOLLOWLOCATION, 1L);
  set_option(curl, CURLOPT_MAXREDIRS, 10L);
  set_option(curl, CURLOPT_FILETIME, 1L); // Last-Modified, parsed by libcurl
  set_option(curl, CURLOPT_NOSIGNAL, 1L);
  set_option(curl, CURLOPT_CONNECTTIMEOUT, 30L);
  // A stalled transfer (under 1 byte/s for a minute) fails instead of hanging.
  set_option(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  set_option(curl, CURLOPT_LOW_SPEED_TIME, 60L);
  set_option(curl, CURLOPT_USERAGENT, "cbuild");
  set_option(curl, CURLOPT_ERRORBUFFER, error_buffer);
  set_option(curl, CURLOPT_WRITEFUNCTION, &write_body);
  set_option(curl, CURLOPT_WRITEDATA, static_cast<void*>(&sink));
}

/// Downloads `url` into `file`; fills in the digest and Last-Modified.
void download(const std::string& url, const fs::path& file, RemoteFile& result) {
  const registry::CurlLibrary& lib = registry::curl_library(); // loads libcurl
  CurlHandle curl(lib.easy_init());
  if (!curl) {
    throw core::Error("ADD " + url + ": libcurl could not start a transfer");
  }
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    core::throw_errno("create", file.string());
  }
  core::FdOutputStream out{core::UniqueFd(fd), file.string()};
  Sink sink{&out, {}, nullptr};
  char error_buffer[CURL_ERROR_SIZE] = {};
  configure(curl.get(), url, sink, error_buffer);
  CURLcode code = lib.easy_perform(curl.get());
  if (sink.error) {
    std::rethrow_exception(sink.error);
  }
  if (code != CURLE_OK) {
    std::string reason = error_buffer[0] ? error_buffer : lib.easy_strerror(code);
    throw core::Error("ADD " + url + ": download failed: " + reason);
  }
  long status = 0;
  lib.easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status >= 300) {
    throw core::InputError("ADD " + url + ": the server answered HTTP " + std::to_string(status) +
                           "; check the URL");
  }
  curl_off_t filetime = -1;
  if (lib.easy_getinfo(curl.get(), CURLINFO_FILETIME_T, &filetime) == CURLE_OK && filetime >= 0) {
    result.last_modified = static_cast<std::int64_t>(filetime);
  }
  result.digest = sink.hash.finish();
}

} // namespace

bool is_remote_source(std::string_view source) {
  return source.starts_with("http://") || source.starts_with("https://");
}

std::string url_file_name(std::string_view url) {
  std::string path = url_path(url);
  while (!path.empty() && path.back() == '/') {
    path.pop_back();
  }
  std::string name = path.substr(path.rfind('/') + 1);
  return name.empty() || name == "." ? "__unnamed__" : name;
}

core::Digest parse_add_checksum(std::string_view text) {
  std::optional<core::Digest> digest = core::Digest::parse(text);
  if (!digest) {
    throw core::InputError("ADD --checksum=" + std::string(text) +
                           ": expected sha256:<64 lower-case hex digits>");
  }
  return *digest;
}

RemoteFiles::RemoteFiles(fs::path scratch_dir) : m_scratch(std::move(scratch_dir)) {}

const RemoteFile& RemoteFiles::fetch(const std::string& url,
                                     const std::optional<core::Digest>& expected) {
  auto found = m_files.find(url);
  if (found == m_files.end()) {
    if (!m_dir) {
      m_dir.emplace(m_scratch, "download-");
    }
    RemoteFile file{.url = url,
                    .path = m_dir->path() / std::to_string(m_files.size()),
                    .name = url_file_name(url),
                    .last_modified = std::nullopt};
    core::ScopeExit remove_partial([&] {
      std::error_code ec;
      fs::remove(file.path, ec);
    });
    download(url, file.path, file);
    remove_partial.release();
    found = m_files.emplace(url, std::move(file)).first;
  }
  if (expected && found->second.digest != *expected) {
    std::string got = found->second.digest.str();
    std::error_code ec;
    fs::remove(found->second.path, ec);
    m_files.erase(found);
    throw core::InputError("ADD " + url + ": checksum mismatch: --checksum is " + expected->str() +
                           ", the download is " + got);
  }
  return found->second;
}

} // namespace builder
