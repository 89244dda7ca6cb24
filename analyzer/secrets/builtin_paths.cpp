// Built-in rules: sensitive files by path, and the image-config rules.
//
// A path rule's example is "<path>\n<content>": the first line is the file
// path, the rest its content (empty for path-only rules).
#include "analyzer/secrets/builtin_rules.h"

namespace secrets::builtin {

namespace {

const char* const k_fix_git =
    "A .git directory ships the repository's history and often its remote credentials: add .git "
    "to .dockerignore.";

/// A rule that fires on the file's presence alone.
Rule path_rule(std::string id, std::string kind, Severity severity, std::string description,
               std::string path, std::string example, std::string non_example,
               const char* fix = k_fix_file) {
  Rule rule;
  rule.id = std::move(id);
  rule.kind = std::move(kind);
  rule.severity = severity;
  rule.description = std::move(description);
  rule.path = std::move(path);
  rule.example = std::move(example) + "\n";
  rule.non_example = std::move(non_example) + "\n";
  rule.fix = fix;
  return rule;
}

/// A rule that needs both the path and a credential inside the file.
Rule file_content_rule(std::string id, std::string kind, std::string description, std::string path,
                       std::string regex, std::string example, std::string non_example) {
  Rule rule = path_rule(std::move(id), std::move(kind), Severity::high, std::move(description),
                        std::move(path), std::move(example), std::move(non_example));
  rule.regex = std::move(regex);
  return rule;
}

void add_key_files(std::vector<Rule>& rules) {
  rules.push_back(path_rule("ssh-private-key-file", "Private key", Severity::high,
                            "SSH private key file by name (id_rsa, id_ed25519, ...)",
                            R"((?:^|/)id_(?:rsa|dsa|ecdsa|ed25519)(?:_sk)?$)",
                            "home/app/.ssh/id_ed25519", "home/app/.ssh/id_ed25519.pub", k_fix_key));
  rules.push_back(path_rule("private-key-file", "Private key", Severity::medium,
                            "Key file by extension (*.key)", R"((?i)(?:^|/)[^/]+\.key$)",
                            "etc/nginx/tls/server.key", "etc/nginx/tls/server.crt", k_fix_key));
  rules.push_back(path_rule("pkcs12-file", "Private key", Severity::high,
                            "PKCS#12 key store (*.p12, *.pfx)", R"((?i)(?:^|/)[^/]+\.p(?:12|fx)$)",
                            "app/certs/client.p12", "app/certs/client.pem", k_fix_key));
  rules.push_back(path_rule("java-keystore-file", "Private key", Severity::medium,
                            "Java key store (*.jks, *.keystore)",
                            R"((?i)(?:^|/)[^/]+\.(?:jks|keystore)$)", "app/conf/server.jks",
                            "app/conf/server.xml", k_fix_key));
}

void add_credential_files(std::vector<Rule>& rules) {
  rules.push_back(path_rule("aws-credentials-file", "AWS", Severity::high,
                            "AWS CLI credentials file", R"((?:^|/)\.aws/credentials$)",
                            "root/.aws/credentials", "root/.aws/config"));
  rules.push_back(path_rule(
      "gcloud-credentials-file", "GCP", Severity::high, "Google Cloud SDK credentials",
      R"((?:^|/)\.config/gcloud/(?:credentials\.db|access_tokens\.db|application_default_credentials\.json|legacy_credentials/.+)$)",
      "root/.config/gcloud/application_default_credentials.json",
      "root/.config/gcloud/configurations/config_default"));
  rules.push_back(path_rule(
      "azure-credentials-file", "Azure", Severity::high, "Azure CLI token cache",
      R"((?:^|/)\.azure/(?:accessTokens\.json|msal_token_cache\.(?:json|bin)|service_principal_entries\.json)$)",
      "root/.azure/msal_token_cache.json", "root/.azure/config"));
  rules.push_back(path_rule("kubeconfig-file", "Kubernetes", Severity::high,
                            "kubectl configuration (cluster credentials)",
                            R"((?:^|/)\.kube/config$)", "root/.kube/config", "root/.kube/cache"));
  rules.push_back(path_rule("kubernetes-service-account-token-file", "Kubernetes", Severity::high,
                            "Kubernetes service account token baked into the image",
                            R"((?:^|/)(?:var/)?run/secrets/kubernetes\.io/serviceaccount/token$)",
                            "var/run/secrets/kubernetes.io/serviceaccount/token",
                            "var/run/secrets/kubernetes.io/serviceaccount/namespace"));
  rules.push_back(path_rule("vault-token-file", "HashiCorp", Severity::high,
                            "HashiCorp Vault CLI token file", R"((?:^|/)\.vault-token$)",
                            "root/.vault-token", "root/.vault-config"));
  rules.push_back(path_rule("terraform-state-file", "Terraform", Severity::high,
                            "Terraform state (holds resource secrets in clear)",
                            R"((?:^|/)[^/]*\.tfstate(?:\.backup)?$)", "infra/terraform.tfstate",
                            "infra/main.tf"));
  rules.push_back(path_rule(
      "dotenv-file", "dotenv", Severity::medium, "dotenv file (usually holds credentials)",
      R"((?:^|/)\.env(?:\.(?:local|prod|production|dev|development|stage|staging|test))?$)",
      "app/.env.production", "app/.env.example"));
  rules.push_back(path_rule("htpasswd-file", "Web server", Severity::medium,
                            "Apache/nginx password file", R"((?:^|/)\.htpasswd$)",
                            "var/www/.htpasswd", "var/www/.htaccess"));
  rules.push_back(path_rule("git-directory", "Git", Severity::medium,
                            "A .git directory shipped in the image", R"((?:^|/)\.git/config$)",
                            "app/.git/config", "app/.gitignore", k_fix_git));
  rules.push_back(path_rule("shell-history-file", "Shell history", Severity::low,
                            "Shell or REPL history (may hold typed passwords)",
                            R"((?:^|/)\.(?:bash|zsh|sh|ash|python|mysql|psql|node_repl)_history$)",
                            "root/.bash_history", "root/.bashrc"));
}

void add_credential_contents(std::vector<Rule>& rules) {
  rules.push_back(file_content_rule(
      "docker-config-auth", "Docker Hub", "Registry credentials in a Docker/Podman auth file",
      R"((?:^|/)(?:\.docker/config\.json|containers/auth\.json|\.dockercfg)$)",
      R"re("auth"\s*:\s*"([A-Za-z0-9+/=]{8,})")re",
      "root/.docker/config.json\n{\"auths\":{\"registry.example.com\":{\"auth\":\"{b:32}\"}}}",
      "root/.docker/config.json\n{\"auths\":{},\"credsStore\":\"desktop\"}"));
  rules.push_back(file_content_rule(
      "npmrc-auth", "npm", "npm registry credentials in .npmrc", R"((?:^|/)\.npmrc$)",
      R"re((?i)(?:_authToken|_auth|_password)\s*=\s*["']?([^\s"']{8,}))re",
      "root/.npmrc\n//registry.npmjs.org/:_authToken={w:36}",
      "root/.npmrc\n//registry.npmjs.org/:_authToken=${NPM_TOKEN}"));
  rules.push_back(file_content_rule("pypirc-password", "PyPI", "Package index password in .pypirc",
                                    R"((?:^|/)\.pypirc$)",
                                    R"((?im)^[ \t]*password[ \t]*[:=][ \t]*(\S{6,}))",
                                    "root/.pypirc\n[pypi]\nusername = __token__\npassword = {w:40}",
                                    "root/.pypirc\n[pypi]\nusername = demo"));
  rules.push_back(file_content_rule("netrc-password", "netrc", "Password in a .netrc file",
                                    R"((?:^|/)[._]netrc$)", R"((?i)\bpassword[ \t]+(\S{3,}))",
                                    "root/.netrc\nmachine git.example.com login ci password {a:20}",
                                    "root/.netrc\nmachine git.example.com login ci"));
  rules.push_back(file_content_rule(
      "git-credentials", "Git", "Stored git credentials", R"((?:^|/)\.git-credentials$)",
      R"([a-z+]+://[^:/\s@]+:([^@\s]+)@)",
      "root/.git-credentials\nhttps://ci:{a:20}@git.example.com", "root/.git-credentials\n"));
  rules.push_back(file_content_rule("pgpass-password", "Database URL",
                                    "PostgreSQL password file entry", R"((?:^|/)\.pgpass$)",
                                    R"((?m)^[^#:\n][^:\n]*:[^:\n]*:[^:\n]*:[^:\n]*:([^\n]{3,})$)",
                                    "root/.pgpass\ndb.internal:5432:app:app:{a:16}",
                                    "root/.pgpass\n# host:port:db:user:password"));
  rules.push_back(file_content_rule("mysql-client-password", "Database URL",
                                    "MySQL client password in .my.cnf", R"((?:^|/)\.my\.cnf$)",
                                    R"((?im)^[ \t]*password[ \t]*=[ \t]*(\S+))",
                                    "root/.my.cnf\n[client]\nuser = app\npassword = {a:16}",
                                    "root/.my.cnf\n[client]\nuser = app"));
  Rule kube =
      token_rule("kubeconfig-client-key", "Kubernetes", Severity::critical,
                 "Client private key embedded in a kubeconfig",
                 R"((?m)^[ \t]*client-key-data:[ \t]*([A-Za-z0-9+/=]{40,}))", {"client-key-data"},
                 "users:\n- name: admin\n  user:\n    client-key-data: {b:120}",
                 "users:\n- name: admin\n  user:\n    client-key-data: {b:10}");
  kube.fix = k_fix_key;
  rules.push_back(std::move(kube));
}

} // namespace

void add_path_rules(std::vector<Rule>& rules) {
  add_key_files(rules);
  add_credential_files(rules);
  add_credential_contents(rules);
}

void add_config_rules(std::vector<Rule>& rules) {
  // NAME=VALUE where the name says it holds a credential. Only for image
  // config Env/Labels and build args: in files, the generic rule (with its
  // entropy threshold) covers assignments.
  const std::string regex =
      R"((?i)^([A-Za-z0-9_.-]*(?:passw(?:or)?d|passphrase|secret|token|api_?key|apikey|access_?key|private_?key|credentials?|auth_?key)[A-Za-z0-9_.-]*)=(.+)$)";
  Allowlist not_secrets;
  not_secrets.description = "names of references, not values; empty and boolean values";
  not_secrets.regex_target = AllowlistTarget::match;
  not_secrets.regexes = {
      R"((?i)^[A-Za-z0-9_.-]*[_.-](?:file|path|dir|url|uri|host|port|user|username|name|id|enabled|length|version|type|mode|ttl|size|count|expiry|expires|header|endpoint|location|method)=)",
      R"((?i)=(?:true|false|yes|no|on|off|none|null|nil|0|1|-)$)",
      R"(=/)",
  };
  Rule env = token_rule("env-secret-assignment", "Image config", Severity::high,
                        "Credential set with ENV or LABEL in the image config", regex, {},
                        "DB_PASSWORD={a:12}", "DB_PASSWORD_FILE=/run/secrets/db");
  env.secret_group = 2;
  env.tags = {k_scope_env};
  env.fix = k_fix_env;
  env.allowlists.push_back(not_secrets);
  rules.push_back(std::move(env));

  Rule arg = token_rule("build-arg-secret", "Image config", Severity::high,
                        "Credential passed as a build arg, recorded in the image history", regex,
                        {}, "NPM_TOKEN={a:20}", "HTTP_PROXY=http://proxy:3128");
  arg.secret_group = 2;
  arg.tags = {k_scope_build_arg};
  arg.fix = k_fix_build_arg;
  arg.allowlists.push_back(std::move(not_secrets));
  rules.push_back(std::move(arg));
}

} // namespace secrets::builtin
