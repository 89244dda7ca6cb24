#include "analyzer/secrets/builtin_rules.h"

namespace secrets {

namespace builtin {

const char* const k_fix_token =
    "Rotate this credential. Never write it into a layer: mount it only for the step that needs "
    "it (RUN --mount=type=secret) or pass it at run time; a later RUN rm does not remove it from "
    "the earlier layer.";
const char* const k_fix_key =
    "Rotate this key. Keep private keys out of every layer: RUN --mount=type=ssh or "
    "--mount=type=secret at build time, a run-time mount, or a multi-stage build that copies "
    "only the build output into the final stage.";
const char* const k_fix_file =
    "Keep this file out of the image: add it to .dockerignore, or use a multi-stage build that "
    "copies only what the final stage needs; provide credentials at run time.";
const char* const k_fix_url =
    "Remove the password from the URL; pass the connection string at run time (environment from "
    "a secret store, a mounted file) and rotate the password.";
const char* const k_fix_env =
    "ENV and LABEL values are stored in the image config for anyone who pulls it: pass the value "
    "at run time (docker run -e, an orchestrator secret) and rotate it.";
const char* const k_fix_build_arg =
    "Build args are recorded in the image history: use RUN --mount=type=secret,id=... instead of "
    "--build-arg for credentials, and rotate this one.";

Allowlist allow_regexes(std::string description, std::vector<std::string> regexes) {
  Allowlist allowlist;
  allowlist.description = std::move(description);
  allowlist.regexes = std::move(regexes);
  return allowlist;
}

Rule token_rule(std::string id, std::string kind, Severity severity, std::string description,
                std::string regex, std::vector<std::string> keywords, std::string example,
                std::string non_example, double entropy) {
  Rule rule;
  rule.id = std::move(id);
  rule.kind = std::move(kind);
  rule.severity = severity;
  rule.description = std::move(description);
  rule.regex = std::move(regex);
  rule.keywords = std::move(keywords);
  rule.example = std::move(example);
  rule.non_example = std::move(non_example);
  rule.entropy = entropy;
  rule.fix = k_fix_token;
  return rule;
}

} // namespace builtin

RuleSpec builtin_rules() {
  RuleSpec spec;
  spec.title = "cscan built-in rules";
  builtin::add_cloud_rules(spec.rules);
  builtin::add_service_rules(spec.rules);
  builtin::add_key_rules(spec.rules);
  builtin::add_path_rules(spec.rules);
  builtin::add_config_rules(spec.rules);

  // Values that stand for a secret rather than being one: variables,
  // templates, angle-bracket placeholders, masks.
  Allowlist placeholders;
  placeholders.description = "placeholders and references";
  placeholders.regexes = {
      R"(^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$)",
      R"(^\$\(.*\)$)",
      R"(^\{\{.*\}\}$)",
      R"(^<[^<>]*>$)",
      R"(^%[A-Za-z_][A-Za-z0-9_]*%$)",
      R"(^(?:x+|X+|\*+|\.+|#+|-+)$)",
  };
  spec.allowlists.push_back(std::move(placeholders));
  return spec;
}

} // namespace secrets
