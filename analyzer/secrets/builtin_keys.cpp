// Built-in rules: private keys, JWTs, URLs with passwords, generic assignments.
#include "analyzer/secrets/builtin_rules.h"

#include <cctype>

namespace secrets::builtin {

namespace {

/// A PEM-armoured private key of one kind; the secret is the base64 body.
Rule pem_rule(std::string id, const std::string& label, std::string description,
              Severity severity) {
  std::string lower = label;
  for (char& c : lower) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  Rule rule = token_rule(std::move(id), "Private key", severity, std::move(description),
                         "-----BEGIN " + label + "-----([\\s\\S]{64,}?)-----END " + label + "-----",
                         {"begin " + lower + "-----"},
                         "-----BEGIN " + label + "-----\n{b:64}\n{b:64}\n{b:40}==\n-----END " +
                             label + "-----",
                         "-----BEGIN " + label + "-----\n{b:20}\n-----END " + label + "-----");
  rule.fix = k_fix_key;
  return rule;
}

void add_private_keys(std::vector<Rule>& rules) {
  rules.push_back(pem_rule("private-key-rsa", "RSA PRIVATE KEY", "RSA private key (PKCS#1 PEM)",
                           Severity::critical));
  rules.push_back(
      pem_rule("private-key-dsa", "DSA PRIVATE KEY", "DSA private key (PEM)", Severity::critical));
  rules.push_back(pem_rule("private-key-ec", "EC PRIVATE KEY",
                           "Elliptic-curve private key (SEC1 PEM)", Severity::critical));
  rules.push_back(pem_rule("private-key-openssh", "OPENSSH PRIVATE KEY",
                           "OpenSSH private key (any algorithm)", Severity::critical));
  rules.push_back(
      pem_rule("private-key-pkcs8", "PRIVATE KEY", "Private key (PKCS#8 PEM)", Severity::critical));
  rules.push_back(pem_rule("private-key-pkcs8-encrypted", "ENCRYPTED PRIVATE KEY",
                           "Passphrase-protected private key (encrypted PKCS#8 PEM)",
                           Severity::high));
  rules.push_back(pem_rule("private-key-pgp", "PGP PRIVATE KEY BLOCK",
                           "PGP / GnuPG secret key block", Severity::critical));
  Rule ssh2 = token_rule(
      "private-key-ssh2", "Private key", Severity::critical, "SSH.com / Tectia (SSH2) private key",
      R"(---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----([\s\S]{64,}?)---- END SSH2 ENCRYPTED PRIVATE KEY ----)",
      {"begin ssh2 encrypted private key"},
      "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\n{b:64}\n{b:64}\n---- END SSH2 ENCRYPTED PRIVATE "
      "KEY ----",
      "---- BEGIN SSH2 PUBLIC KEY ----\n{b:64}\n{b:64}\n---- END SSH2 PUBLIC KEY ----");
  ssh2.fix = k_fix_key;
  rules.push_back(std::move(ssh2));
  Rule putty = token_rule(
      "private-key-putty", "Private key", Severity::critical, "PuTTY private key file (.ppk)",
      R"(PuTTY-User-Key-File-[0-9]: [\w-]+\r?\nEncryption: [\w-]+[\s\S]{0,1000}?Private-Lines: [0-9]+\r?\n([A-Za-z0-9+/=\r\n]{40,}))",
      {"putty-user-key-file"},
      "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: demo\nPublic-Lines: 2\n"
      "{b:64}\n{b:4}\nPrivate-Lines: 1\n{b:44}\nPrivate-MAC: {h:64}",
      "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: demo\nPublic-Lines: 2\n");
  putty.fix = k_fix_key;
  rules.push_back(std::move(putty));
  Rule age = token_rule(
      "age-secret-key", "Private key", Severity::critical, "age encryption secret key",
      R"(\b(AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})\b)", {"age-secret-key-1"},
      "# key\nAGE-SECRET-KEY-1{B:58}", "# key\nAGE-SECRET-KEY-1{B:20}");
  age.fix = k_fix_key;
  rules.push_back(std::move(age));
}

/// Password values that are documentation, not credentials.
Allowlist placeholder_passwords() {
  return allow_regexes(
      "placeholder passwords",
      {R"((?i)^(?:pass(?:word|wd)?|secret|changeme|example|dummy|test|user|username|token)$)"});
}

void add_urls_and_tokens(std::vector<Rule>& rules) {
  Rule jwt = token_rule(
      "jwt", "JWT", Severity::medium, "JSON Web Token (may carry or grant credentials)",
      R"(\b(eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})(?:[^A-Za-z0-9_-]|$))",
      {"eyj"}, "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJ{w:40}.{w:43}",
      "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.{w:40}", 3.0);
  rules.push_back(std::move(jwt));

  Rule db = token_rule(
      "database-url-password", "Database URL", Severity::high,
      "Database or message-broker connection URL with an embedded password",
      R"re((?i)\b((?:postgres(?:ql)?|mysqlx?|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|clickhouse|cockroachdb)://[^:/\s"'@]+:([^@/\s"']{3,})@[^\s"'/?#]+))re",
      {"postgres", "mysql", "mariadb", "mongodb", "redis", "amqp", "mssql", "sqlserver",
       "clickhouse", "cockroachdb"},
      "DATABASE_URL=postgres://app:{a:16}@db.internal:5432/app",
      "DATABASE_URL=postgres://app:password@localhost/app");
  db.secret_group = 2;
  db.fix = k_fix_url;
  db.allowlists.push_back(placeholder_passwords());
  rules.push_back(std::move(db));

  Rule jdbc = token_rule("jdbc-url-password", "Database URL", Severity::high,
                         "JDBC URL with a password parameter",
                         R"re((?i)\bjdbc:[a-z0-9]+:[^\s"']*?[?&;]password=([^&;\s"']{3,}))re",
                         {"jdbc:"}, "url=jdbc:mysql://db:3306/app?user=app&password={a:16}",
                         "url=jdbc:mysql://db:3306/app?user=app");
  jdbc.fix = k_fix_url;
  jdbc.allowlists.push_back(placeholder_passwords());
  rules.push_back(std::move(jdbc));

  Rule basic = token_rule(
      "url-basic-auth", "URL credentials", Severity::high,
      "URL with an embedded user name and password (HTTP, FTP, git)",
      R"re(\b(?:https?|ftps?|git|ssh|svn)://[^:/\s"'@]+:([^@/\s"']{3,})@[A-Za-z0-9.-]+)re", {"://"},
      "RUN git clone https://deploy:{a:20}@git.acme-corp.io/app.git",
      "RUN curl https://example.com/u@host");
  basic.fix = k_fix_url;
  basic.allowlists.push_back(placeholder_passwords());
  // Documentation hosts (RFC 2606 names and the usual stand-ins).
  Allowlist doc_hosts = allow_regexes(
      "documentation hosts",
      {R"((?i)@(?:[\w-]+\.)*(?:example\.(?:com|org|net)|example|host|hostname|server|localhost)(?:[:/]|$))"});
  doc_hosts.regex_target = AllowlistTarget::match;
  basic.allowlists.push_back(std::move(doc_hosts));
  rules.push_back(std::move(basic));
}

void add_generic(std::vector<Rule>& rules) {
  Rule generic = token_rule(
      "generic-secret-assignment", "Generic", Severity::medium,
      "High-entropy value assigned to a name that says secret, password, token or key",
      R"re((?i)(?:secret|passw(?:or)?d|pwd|token|api[_.-]?key|apikey|credential|auth[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret)[\w.-]{0,20}["']?[ \t]*(?::=|=>|=|:)[ \t]*["']?([A-Za-z0-9_+/=~.!@#$%^&*-]{12,128})(?:["'\s;,]|$))re",
      {"secret", "passw", "pwd", "token", "api_key", "apikey", "api-key", "api.key", "credential",
       "auth_key", "auth-key", "access_key", "access-key", "private_key", "private-key"},
      "config.password = \"{a:24}\"", "config.password = \"getenv\"", 3.5);
  Allowlist noise;
  noise.description = "identifiers, paths and placeholders";
  noise.regexes = {
      R"(^[^0-9]+$)",                                             // random secrets have digits
      R"(^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$)", // dotted identifiers
      R"(^[/.~])",                                                // file paths
      R"(^[A-Z_][A-Z0-9_]*(?:[+|&.-][A-Z0-9_]+)*$)",              // CONSTANT_NAMES
  };
  noise.stopwords = {"example", "sample", "dummy",  "placeholder", "redacted",  "changeme",
                     "your_",   "your-",  "xxxxxx", "abcdef",      "0123456789"};
  generic.allowlists.push_back(std::move(noise));
  rules.push_back(std::move(generic));
}

} // namespace

void add_key_rules(std::vector<Rule>& rules) {
  add_private_keys(rules);
  add_urls_and_tokens(rules);
  add_generic(rules);
}

} // namespace secrets::builtin
