#pragma once
// libcurl, opened on first use. Linked, libcurl and the ~30 libraries it pulls
// in (GnuTLS, Kerberos, LDAP, SSH, IDN...) cost every cbuild start ~5 ms and
// ~300 page faults, while most commands (run, a build from the local store,
// images, save) never speak HTTP. The types and constants still come from
// <curl/curl.h>; only the calls go through this table.
#include <curl/curl.h>

namespace registry {

struct CurlLibrary {
  CURLcode (*global_init)(long flags);
  CURL* (*easy_init)();
  CURLcode (*easy_setopt)(CURL* curl, CURLoption option, ...);
  CURLcode (*easy_getinfo)(CURL* curl, CURLINFO info, ...);
  CURLcode (*easy_perform)(CURL* curl);
  void (*easy_reset)(CURL* curl);
  void (*easy_cleanup)(CURL* curl);
  const char* (*easy_strerror)(CURLcode code);
  curl_slist* (*slist_append)(curl_slist* list, const char* line);
  void (*slist_free_all)(curl_slist* list);
};

/// Opens libcurl once (thread-safe) and runs curl_global_init. Throws
/// core::Error naming the library and the Debian package when it is missing.
const CurlLibrary& curl_library();

} // namespace registry
