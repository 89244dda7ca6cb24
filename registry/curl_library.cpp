#include "registry/curl_library.h"

#include "core/error.h"

#include <dlfcn.h>

#include <mutex>
#include <string>

namespace registry {
namespace {

// The soname libcurl4-openssl-dev's libcurl.so points at.
constexpr const char* k_soname = "libcurl.so.4";

template <typename Fn>
void bind(void* library, Fn& slot, const char* name) {
  void* symbol = ::dlsym(library, name);
  if (!symbol) {
    throw core::Error(std::string("registry: ") + k_soname + " has no " + name +
                      "; it is too old (libcurl 7.85 or newer is needed)");
  }
  slot = reinterpret_cast<Fn>(symbol);
}

CurlLibrary load() {
  // RTLD_NODELETE: handles and callbacks may outlive any notion of "done".
  void* library = ::dlopen(k_soname, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (!library) {
    const char* why = ::dlerror();
    throw core::Error(std::string("registry: cannot load ") + k_soname + " (" +
                      (why ? why : "unknown error") +
                      "), which cbuild needs for HTTP; install it: apt-get install libcurl4");
  }
  CurlLibrary lib{};
  bind(library, lib.global_init, "curl_global_init");
  bind(library, lib.easy_init, "curl_easy_init");
  bind(library, lib.easy_setopt, "curl_easy_setopt");
  bind(library, lib.easy_getinfo, "curl_easy_getinfo");
  bind(library, lib.easy_perform, "curl_easy_perform");
  bind(library, lib.easy_reset, "curl_easy_reset");
  bind(library, lib.easy_cleanup, "curl_easy_cleanup");
  bind(library, lib.easy_strerror, "curl_easy_strerror");
  bind(library, lib.slist_append, "curl_slist_append");
  bind(library, lib.slist_free_all, "curl_slist_free_all");
  // CURLOPT_PROTOCOLS_STR, which the client sets, came with 7.85.
  using VersionInfo = curl_version_info_data* (*)(CURLversion);
  VersionInfo version_info = nullptr;
  bind(library, version_info, "curl_version_info");
  const curl_version_info_data* info = version_info(CURLVERSION_NOW);
  if (!info || info->version_num < 0x075500) {
    throw core::Error(std::string("registry: ") + k_soname + " is version " +
                      (info && info->version ? info->version : "unknown") +
                      "; cbuild needs libcurl 7.85 or newer");
  }
  if (lib.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    throw core::Error("registry: curl_global_init failed");
  }
  return lib;
}

} // namespace

const CurlLibrary& curl_library() {
  // A failed load is retried by the next call (call_once rethrows and stays unset).
  static std::once_flag once;
  static CurlLibrary lib{};
  std::call_once(once, [] { lib = load(); });
  return lib;
}

} // namespace registry
