#include "analyzer/rules.h"

#include "core/digest.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace analyzer {
namespace {

constexpr Rule k_rules[] = {
    {"efficiency/rewritten-files", "RewrittenFiles",
     "A layer re-wrote files of a lower layer with identical content (chmod, chown, touch).",
     Severity::medium,
     "Set ownership and mode when the files are first written: COPY --chown/--chmod, or chmod "
     "in the same RUN.",
     "efficiency"},
    {"efficiency/replaced-files", "ReplacedFiles",
     "A layer overwrote files of a lower layer; the old bytes still ship.", Severity::low,
     "Write the final version once, or build in a stage and COPY --from the result.", "efficiency"},
    {"efficiency/deleted-files", "DeletedFiles",
     "Files written by one layer and deleted by a later one still ship in the image.",
     Severity::medium,
     "Delete files in the same RUN that creates them, or use a multi-stage build.", "efficiency"},
    {"efficiency/package-cache", "PackageCache",
     "A layer contains package-manager caches (apt, dnf/yum, apk, pip, npm/yarn, Go).",
     Severity::low, "Clean the cache in the same RUN, or use RUN --mount=type=cache.",
     "efficiency"},
    {"efficiency/temp-files", "TempFiles", "A layer contains files under /tmp or /var/tmp.",
     Severity::low, "Remove temporary files in the RUN that creates them.", "efficiency"},
    {"efficiency/duplicate-content", "DuplicateContent",
     "The same file content ships in more than one layer.", Severity::info,
     "Copy the file once, or share it through a common base layer.", "efficiency"},
    {"image/dangling-whiteout", "DanglingWhiteout",
     "A whiteout removes a path that no lower layer has (dive stops reading the layer there).",
     Severity::info, "Harmless for runtimes; usually a squash or an image tool artefact.",
     "hygiene"},
    {"config/root-user", "RootUser", "The image runs as root (no USER, or USER 0/root).",
     Severity::medium, "Add a USER instruction with an unprivileged numeric uid, e.g. USER 10001.",
     "security"},
    {"config/no-healthcheck", "NoHealthcheck", "The image defines no HEALTHCHECK.", Severity::info,
     "Add a HEALTHCHECK so orchestrators can detect a hung service.", "hygiene"},
    {"config/add-from-url", "AddFromUrl", "A layer was created by ADD from a remote URL.",
     Severity::low,
     "Download with a pinned checksum (ADD --checksum=sha256:...) or curl + sha256sum in RUN.",
     "security"},
    {"config/secret-env", "SecretEnv", "An environment variable name suggests it holds a secret.",
     Severity::high,
     "Do not bake secrets into ENV; pass them at run time or with RUN --mount=type=secret, and "
     "rotate the value.",
     "security"},
    {"files/setuid", "SetuidFile", "A file has the setuid or setgid bit.", Severity::low,
     "Remove the bit (chmod u-s,g-s) unless the program needs it; drop unused binaries.",
     "security"},
    {"files/world-writable", "WorldWritable",
     "A file or directory is writable by everyone (directories without the sticky bit).",
     Severity::medium, "chmod o-w the path, or set the sticky bit on shared directories.",
     "security"},
    {"files/capabilities", "FileCapabilities",
     "A file carries file capabilities (security.capability xattr).", Severity::medium,
     "Remove the capabilities (setcap -r) unless required; grant them at run time instead.",
     "security"},
};

} // namespace

std::string_view to_string(Severity severity) {
  switch (severity) {
  case Severity::info: return "info";
  case Severity::low: return "low";
  case Severity::medium: return "medium";
  case Severity::high: return "high";
  case Severity::critical: return "critical";
  }
  return "?";
}

std::optional<Severity> parse_severity(std::string_view text) {
  std::string lower(text);
  for (char& c : lower)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (Severity s :
       {Severity::info, Severity::low, Severity::medium, Severity::high, Severity::critical}) {
    if (lower == to_string(s))
      return s;
  }
  return std::nullopt;
}

std::span<const Rule> all_rules() {
  return k_rules;
}

const Rule* find_rule(std::string_view id) {
  auto it = std::find_if(std::begin(k_rules), std::end(k_rules),
                         [&](const Rule& rule) { return rule.id == id; });
  return it == std::end(k_rules) ? nullptr : it;
}

void set_fingerprint(Finding& finding, std::string_view subject) {
  std::string material = finding.rule_id;
  material += '\0';
  material += subject;
  finding.fingerprint = std::string(core::sha256_of(material).hex().substr(0, 16));
}

} // namespace analyzer
