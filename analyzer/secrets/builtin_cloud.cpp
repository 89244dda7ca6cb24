// Built-in rules: cloud providers and infrastructure platforms.
#include "analyzer/secrets/builtin_rules.h"

namespace secrets::builtin {

namespace {

void add_aws(std::vector<Rule>& rules) {
  Rule key_id = token_rule("aws-access-key-id", "AWS", Severity::critical,
                           "AWS access key ID (long-term or temporary)",
                           R"(\b((?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16})\b)",
                           {"akia", "asia", "abia", "acca", "a3t"},
                           "aws_access_key_id = AKIA{U:16}", "aws_access_key_id = AKIA{U:12}", 3.0);
  // AWS's own documentation keys end in EXAMPLE.
  key_id.allowlists.push_back(allow_regexes("AWS documentation keys", {"EXAMPLE$"}));
  rules.push_back(std::move(key_id));

  rules.push_back(token_rule(
      "aws-secret-access-key", "AWS", Severity::critical, "AWS secret access key",
      R"re((?i)secret_?access_?key["']?\s*(?:[:=]|=>)\s*["']?([A-Za-z0-9/+=]{40})(?:[^A-Za-z0-9/+=]|$))re",
      {"secret_access_key", "secretaccesskey"}, "aws_secret_access_key = {b:40}",
      "aws_secret_access_key = ${AWS_SECRET_ACCESS_KEY}", 3.5));
  rules.push_back(
      token_rule("aws-session-token", "AWS", Severity::high, "AWS temporary session token",
                 R"re((?i)session_?token["']?\s*(?:[:=]|=>)\s*["']?([A-Za-z0-9/+=]{100,}))re",
                 {"session_token", "sessiontoken"}, "AWS_SESSION_TOKEN={b:160}",
                 "AWS_SESSION_TOKEN={b:40}", 4.0));
  rules.push_back(token_rule(
      "aws-mws-auth-token", "AWS", Severity::high, "Amazon Marketplace Web Service auth token",
      R"(\b(amzn\.mws\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b)",
      {"amzn.mws."}, "mws = amzn.mws.{h:8}-{h:4}-{h:4}-{h:4}-{h:12}", "mws = amzn.mws.{h:8}"));
  rules.push_back(token_rule("aws-bedrock-api-key", "AWS", Severity::high, "Amazon Bedrock API key",
                             R"(\b(ABSK[A-Za-z0-9+/]{109,269}={0,2}))", {"absk"},
                             "BEDROCK_KEY=ABSK{b:140}", "BEDROCK_KEY=ABSK{b:20}", 4.0));
}

void add_gcp(std::vector<Rule>& rules) {
  Rule sa = token_rule(
      "gcp-service-account-key", "GCP", Severity::critical,
      "Google Cloud service account key file (JSON)",
      R"re("type"\s*:\s*"service_account"[\s\S]{0,300}?"private_key_id"\s*:\s*"([0-9a-f]{40})")re",
      {"service_account"},
      R"({"type": "service_account", "project_id": "demo", "private_key_id": "{h:40}"})",
      R"({"type": "service_account", "project_id": "demo"})");
  sa.fix = k_fix_key;
  rules.push_back(std::move(sa));
  rules.push_back(token_rule("gcp-api-key", "GCP", Severity::high, "Google API key",
                             R"(\b(AIza[0-9A-Za-z_-]{35})(?:[^0-9A-Za-z_-]|$))", {"aiza"},
                             "GOOGLE_API_KEY=AIza{w:35}", "GOOGLE_API_KEY=AIza{w:20}", 3.0));
  rules.push_back(token_rule("gcp-oauth-client-secret", "GCP", Severity::high,
                             "Google OAuth client secret",
                             R"(\b(GOCSPX-[0-9A-Za-z_-]{28})(?:[^0-9A-Za-z_-]|$))", {"gocspx-"},
                             "client_secret: GOCSPX-{w:28}", "client_secret: GOCSPX-{w:10}"));
  rules.push_back(token_rule("gcp-oauth-access-token", "GCP", Severity::high,
                             "Google OAuth 2.0 access token", R"(\b(ya29\.[0-9A-Za-z_-]{30,}))",
                             {"ya29."}, "Authorization: Bearer ya29.{w:80}", "version ya29.{w:10}",
                             3.5));
}

void add_azure(std::vector<Rule>& rules) {
  rules.push_back(
      token_rule("azure-storage-account-key", "Azure", Severity::critical,
                 "Azure storage account key in a connection string",
                 R"((?i)AccountKey=([A-Za-z0-9+/]{86}==))", {"accountkey="},
                 "DefaultEndpointsProtocol=https;AccountName=demo{l:6};AccountKey={b:86}==;"
                 "EndpointSuffix=core.windows.net",
                 "DefaultEndpointsProtocol=https;AccountName=demo;AccountKey=<your-key>", 4.0));
  rules.push_back(token_rule(
      "azure-ad-client-secret", "Azure", Severity::critical, "Azure AD (Entra ID) client secret",
      R"re((?:^|[\\'"`\s>=:(,)])([A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34})(?:$|[\\'"`\s<),]))re",
      {"q~"}, "AZURE_CLIENT_SECRET=\"{a:3}8Q~{a:34}\"", "AZURE_CLIENT_SECRET=\"{a:3}8Q~{a:10}\"",
      3.0));
  rules.push_back(token_rule(
      "azure-sas-token", "Azure", Severity::high, "Azure shared access signature in a URL",
      R"re((?i)[?&]sv=\d{4}-\d{2}-\d{2}&[^\s"']*?\bsig=([A-Za-z0-9%+/]{40,}(?:%3D|=){0,2}))re",
      {"sig="},
      "https://demo.blob.core.windows.net/c?sv=2022-11-02&ss=b&sp=r&se=2030-01-01&sig={b:43}%3D",
      "https://example.com/download?sig=short", 3.5));
}

void add_platforms(std::vector<Rule>& rules) {
  rules.push_back(token_rule("alibaba-access-key-id", "Alibaba Cloud", Severity::high,
                             "Alibaba Cloud AccessKey ID", R"(\b(LTAI[A-Za-z0-9]{20})\b)", {"ltai"},
                             "ALIBABA_KEY=LTAI{a:20}", "ALIBABA_KEY=LTAI{a:8}", 3.0));
  rules.push_back(token_rule("digitalocean-token", "DigitalOcean", Severity::high,
                             "DigitalOcean personal access, OAuth or refresh token",
                             R"(\b(do[opr]_v1_[a-f0-9]{64})\b)", {"dop_v1_", "doo_v1_", "dor_v1_"},
                             "DO_TOKEN=dop_v1_{h:64}", "DO_TOKEN=dop_v1_{h:10}"));
  rules.push_back(token_rule("heroku-api-key", "Heroku", Severity::high, "Heroku API key",
                             R"(\b(HRKU-AA[0-9A-Za-z_-]{58})(?:[^0-9A-Za-z_-]|$))", {"hrku-"},
                             "HEROKU_API_KEY=HRKU-AA{w:58}", "HEROKU_API_KEY=HRKU-AA{w:10}"));
  rules.push_back(token_rule(
      "heroku-api-key-legacy", "Heroku", Severity::high, "Heroku API key (UUID form)",
      R"re((?i)heroku[\w.-]{0,20}["']?\s*(?:[:=]|=>)\s*["']?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b)re",
      {"heroku"}, "HEROKU_API_KEY={h:8}-{h:4}-{h:4}-{h:4}-{h:12}", "HEROKU_APP=my-app"));
  rules.push_back(token_rule(
      "cloudflare-api-token", "Cloudflare", Severity::high, "Cloudflare API token or key",
      R"re((?i)(?:cloudflare|cf)[\w.-]{0,20}(?:token|key)["']?\s*(?:[:=]|=>)\s*["']?([A-Za-z0-9_-]{37,40})(?:[^A-Za-z0-9_-]|$))re",
      {"cloudflare", "cf_api"}, "CLOUDFLARE_API_TOKEN={w:40}", "CLOUDFLARE_ZONE=example.com", 3.5));
  rules.push_back(token_rule("cloudflare-origin-ca-key", "Cloudflare", Severity::high,
                             "Cloudflare Origin CA key",
                             R"(\b(v1\.0-[a-f0-9]{24}-[a-f0-9]{146})\b)", {"v1.0-"},
                             "origin_ca_key = v1.0-{h:24}-{h:146}", "origin_ca_key = v1.0-{h:24}"));
  rules.push_back(token_rule("hashicorp-vault-token", "HashiCorp", Severity::high,
                             "HashiCorp Vault service, batch or recovery token",
                             R"(\b(hv[sbr]\.[A-Za-z0-9_-]{24,}))", {"hvs.", "hvb.", "hvr."},
                             "VAULT_TOKEN=hvs.{w:90}", "VAULT_TOKEN=hvs.{a:8}", 3.5));
  rules.push_back(token_rule(
      "terraform-cloud-token", "HashiCorp", Severity::high,
      "Terraform Cloud / Enterprise API token",
      R"(\b([A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70})(?:[^A-Za-z0-9_=-]|$))", {"atlasv1"},
      "token = \"{a:14}.atlasv1.{a:67}\"", "token = \"{a:14}.atlasv1.{a:10}\""));
  rules.push_back(token_rule("databricks-token", "Databricks", Severity::high,
                             "Databricks personal access token",
                             R"(\b(dapi[a-f0-9]{32}(?:-\d)?)\b)", {"dapi"},
                             "DATABRICKS_TOKEN=dapi{h:32}", "DATABRICKS_TOKEN=dapi{h:10}", 3.0));
  rules.push_back(token_rule("planetscale-token", "PlanetScale", Severity::high,
                             "PlanetScale service token, password or OAuth token",
                             R"(\b(pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.=-]{32,64}))",
                             {"pscale_tkn_", "pscale_pw_", "pscale_oauth_"},
                             "PLANETSCALE_TOKEN=pscale_tkn_{w:43}",
                             "PLANETSCALE_TOKEN=pscale_tkn_{a:8}", 3.0));
  rules.push_back(token_rule("pulumi-access-token", "Pulumi", Severity::high, "Pulumi access token",
                             R"(\b(pul-[a-f0-9]{40})\b)", {"pul-"},
                             "PULUMI_ACCESS_TOKEN=pul-{h:40}", "PULUMI_ACCESS_TOKEN=pul-{h:10}",
                             3.0));
  rules.push_back(token_rule("doppler-token", "Doppler", Severity::high, "Doppler service token",
                             R"(\b(dp\.pt\.[A-Za-z0-9]{43})\b)", {"dp.pt."},
                             "DOPPLER_TOKEN=dp.pt.{a:43}", "DOPPLER_TOKEN=dp.pt.{a:9}", 3.0));
}

} // namespace

void add_cloud_rules(std::vector<Rule>& rules) {
  add_aws(rules);
  add_gcp(rules);
  add_azure(rules);
  add_platforms(rules);
}

} // namespace secrets::builtin
