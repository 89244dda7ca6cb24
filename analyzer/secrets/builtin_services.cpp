// Built-in rules: source hosting, chat, payments, package registries and SaaS APIs.
#include "analyzer/secrets/builtin_rules.h"

namespace secrets::builtin {

namespace {

void add_source_hosting(std::vector<Rule>& rules) {
  rules.push_back(token_rule("github-pat", "GitHub", Severity::high,
                             "GitHub personal access token (classic)",
                             R"(\b(ghp_[A-Za-z0-9]{36})\b)", {"ghp_"}, "GITHUB_TOKEN=ghp_{a:36}",
                             "GITHUB_TOKEN=ghp_{a:20}", 3.0));
  rules.push_back(token_rule("github-fine-grained-pat", "GitHub", Severity::high,
                             "GitHub fine-grained personal access token",
                             R"(\b(github_pat_[A-Za-z0-9_]{82})\b)", {"github_pat_"},
                             "GITHUB_TOKEN=github_pat_{a:22}_{a:59}",
                             "GITHUB_TOKEN=github_pat_{a:22}", 3.0));
  rules.push_back(token_rule("github-oauth-token", "GitHub", Severity::high,
                             "GitHub OAuth access token", R"(\b(gho_[A-Za-z0-9]{36})\b)", {"gho_"},
                             "token: gho_{a:36}", "token: gho_{a:12}", 3.0));
  rules.push_back(token_rule("github-app-token", "GitHub", Severity::high,
                             "GitHub App user-to-server or server-to-server token",
                             R"(\b((?:ghu|ghs)_[A-Za-z0-9]{36})\b)", {"ghu_", "ghs_"},
                             "GH_APP_TOKEN=ghs_{a:36}", "GH_APP_TOKEN=ghs_{a:12}", 3.0));
  rules.push_back(token_rule("github-refresh-token", "GitHub", Severity::high,
                             "GitHub refresh token", R"(\b(ghr_[A-Za-z0-9]{36,76})\b)", {"ghr_"},
                             "refresh=ghr_{a:76}", "refresh=ghr_{a:12}", 3.0));
  rules.push_back(token_rule("gitlab-pat", "GitLab", Severity::high,
                             "GitLab personal, project or group access token",
                             R"(\b(glpat-[A-Za-z0-9_.-]{20,128}))", {"glpat-"},
                             "GITLAB_TOKEN=glpat-{w:20}", "GITLAB_TOKEN=glpat-{a:8}", 3.0));
  rules.push_back(token_rule("gitlab-pipeline-trigger-token", "GitLab", Severity::high,
                             "GitLab pipeline trigger token", R"(\b(glptt-[0-9a-f]{40})\b)",
                             {"glptt-"}, "TRIGGER=glptt-{h:40}", "TRIGGER=glptt-{h:8}", 3.0));
  rules.push_back(token_rule("gitlab-runner-token", "GitLab", Severity::high,
                             "GitLab runner authentication token", R"(\b(glrt-[A-Za-z0-9_-]{20,}))",
                             {"glrt-"}, "token = \"glrt-{w:20}\"", "token = \"glrt-{a:6}\"", 3.0));
  rules.push_back(token_rule(
      "gitlab-runner-registration-token", "GitLab", Severity::high,
      "GitLab runner registration token", R"(\b(GR1348941[A-Za-z0-9_-]{20}))", {"gr1348941"},
      "REGISTRATION_TOKEN=GR1348941{w:20}", "REGISTRATION_TOKEN=GR1348941{a:6}", 3.0));
  rules.push_back(token_rule("gitlab-deploy-token", "GitLab", Severity::high, "GitLab deploy token",
                             R"(\b(gldt-[A-Za-z0-9_-]{20,}))", {"gldt-"}, "DEPLOY=gldt-{w:20}",
                             "DEPLOY=gldt-{a:6}", 3.0));
}

void add_chat(std::vector<Rule>& rules) {
  rules.push_back(token_rule("slack-bot-token", "Slack", Severity::high, "Slack bot token",
                             R"(\b(xoxb-[0-9]{10,13}-[0-9]{10,13}[A-Za-z0-9-]*))", {"xoxb-"},
                             "SLACK_BOT_TOKEN=xoxb-{d:12}-{d:13}-{a:24}",
                             "SLACK_BOT_TOKEN=xoxb-{d:5}"));
  rules.push_back(
      token_rule("slack-user-token", "Slack", Severity::high, "Slack user or configuration token",
                 R"(\b(xox[pe](?:-[0-9]{10,13}){3}-[A-Za-z0-9-]{28,34}))", {"xoxp-", "xoxe-"},
                 "SLACK_TOKEN=xoxp-{d:12}-{d:12}-{d:12}-{h:32}", "SLACK_TOKEN=xoxp-{d:5}"));
  rules.push_back(token_rule(
      "slack-legacy-token", "Slack", Severity::high, "Slack legacy workspace, app or bot token",
      R"(\b(xox[ars]-(?:[0-9]+-)+[A-Za-z0-9]{8,}))", {"xoxa-", "xoxr-", "xoxs-"},
      "SLACK_TOKEN=xoxs-{d:10}-{d:10}-{l:20}", "SLACK_TOKEN=xoxs-abc"));
  rules.push_back(token_rule("slack-app-token", "Slack", Severity::high, "Slack app-level token",
                             R"((?i)\b(xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+))", {"xapp-"},
                             "SLACK_APP_TOKEN=xapp-1-A{u:10}-{d:13}-{h:64}",
                             "SLACK_APP_TOKEN=xapp-x"));
  rules.push_back(token_rule(
      "slack-webhook-url", "Slack", Severity::high, "Slack incoming webhook URL",
      R"((https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{43,56}))",
      {"hooks.slack.com"}, "WEBHOOK=https://hooks.slack.com/services/T{u:8}/B{u:8}/{a:24}",
      "WEBHOOK=https://hooks.slack.com/services/T123"));
  rules.push_back(token_rule(
      "discord-webhook-url", "Discord", Severity::high, "Discord webhook URL",
      R"((https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_-]{60,68}))",
      {"discord"}, "hook: https://discord.com/api/webhooks/{d:18}/{w:68}",
      "hook: https://discord.com/api/webhooks/123/abc"));
  rules.push_back(
      token_rule("telegram-bot-token", "Telegram", Severity::high, "Telegram bot API token",
                 R"(\b([0-9]{8,10}:AA[A-Za-z0-9_-]{33})(?:[^A-Za-z0-9_-]|$))", {":aa"},
                 "TELEGRAM_BOT_TOKEN={d:10}:AA{w:33}", "TELEGRAM_BOT_TOKEN={d:10}:AB{w:33}", 3.0));
}

void add_payments(std::vector<Rule>& rules) {
  rules.push_back(token_rule(
      "stripe-secret-key", "Stripe", Severity::high, "Stripe secret API key (live or test)",
      R"(\b(sk_(?:live|test)_[A-Za-z0-9]{10,99})\b)", {"sk_live_", "sk_test_"},
      "STRIPE_KEY=sk_live_{a:24}", "STRIPE_KEY=sk_live_{a:4}", 3.0));
  rules.push_back(
      token_rule("stripe-restricted-key", "Stripe", Severity::high, "Stripe restricted API key",
                 R"(\b(rk_(?:live|test)_[A-Za-z0-9]{10,99})\b)", {"rk_live_", "rk_test_"},
                 "STRIPE_KEY=rk_live_{a:24}", "STRIPE_KEY=rk_live_{a:4}", 3.0));
  rules.push_back(token_rule("stripe-webhook-secret", "Stripe", Severity::high,
                             "Stripe webhook signing secret", R"(\b(whsec_[A-Za-z0-9]{32,})\b)",
                             {"whsec_"}, "STRIPE_WEBHOOK_SECRET=whsec_{a:32}",
                             "STRIPE_WEBHOOK_SECRET=whsec_{a:8}", 3.0));
  rules.push_back(token_rule(
      "square-access-token", "Square", Severity::high, "Square access token or OAuth secret",
      R"(\b(EAAA[A-Za-z0-9_-]{60}|sq0csp-[A-Za-z0-9_-]{43})(?:[^A-Za-z0-9_-]|$))",
      {"eaaa", "sq0csp-"}, "SQUARE_TOKEN=EAAA{w:60}", "SQUARE_TOKEN=EAAA{w:20}", 3.0));
  rules.push_back(token_rule(
      "shopify-token", "Shopify", Severity::high, "Shopify access token or shared secret",
      R"(\b(shp(?:at|ca|pa|ss)_[A-Za-z0-9]{32,64})\b)", {"shpat_", "shpca_", "shppa_", "shpss_"},
      "SHOPIFY_TOKEN=shpat_{h:32}", "SHOPIFY_TOKEN=shpat_{h:8}"));
  rules.push_back(token_rule(
      "braintree-access-token", "PayPal", Severity::high,
      "PayPal Braintree production access token",
      R"((access_token\$production\$[0-9a-z]{16}\$[0-9a-f]{32}))", {"access_token$production$"},
      "BT=access_token$production${l:16}${h:32}", "BT=access_token$sandbox${l:16}${h:32}"));
}

void add_registries(std::vector<Rule>& rules) {
  rules.push_back(token_rule("npm-access-token", "npm", Severity::high, "npm access token",
                             R"(\b(npm_[A-Za-z0-9]{36})\b)", {"npm_"}, "NPM_TOKEN=npm_{a:36}",
                             "NPM_TOKEN=npm_{a:10}", 3.0));
  rules.push_back(token_rule("pypi-upload-token", "PyPI", Severity::high, "PyPI upload token",
                             R"(\b(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}))",
                             {"pypi-ageichlwas5vcmc"}, "password = pypi-AgEIcHlwaS5vcmc{w:70}",
                             "password = pypi-AgEIcHlwaS5vcmc{w:10}"));
  rules.push_back(token_rule("rubygems-api-key", "RubyGems", Severity::high, "RubyGems API key",
                             R"(\b(rubygems_[a-f0-9]{48})\b)", {"rubygems_"},
                             "GEM_HOST_API_KEY=rubygems_{h:48}",
                             "GEM_HOST_API_KEY=rubygems_{h:8}"));
  rules.push_back(token_rule("nuget-api-key", "NuGet", Severity::high, "NuGet.org API key",
                             R"(\b(oy2[a-z0-9]{43})\b)", {"oy2"}, "NUGET_KEY=oy2{l:43}",
                             "NUGET_KEY=oy2{l:12}", 3.0));
  rules.push_back(token_rule("dockerhub-token", "Docker Hub", Severity::high,
                             "Docker Hub personal or organization access token",
                             R"(\b(dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,32})(?:[^A-Za-z0-9_-]|$))",
                             {"dckr_pat_", "dckr_oat_"}, "DOCKER_TOKEN=dckr_pat_{w:27}",
                             "DOCKER_TOKEN=dckr_pat_{w:10}", 3.0));
  rules.push_back(token_rule("artifactory-api-key", "JFrog", Severity::high,
                             "JFrog Artifactory API key", R"(\b(AKCp[A-Za-z0-9]{69})\b)", {"akcp"},
                             "ARTIFACTORY_KEY=AKCp{a:69}", "ARTIFACTORY_KEY=AKCp{a:20}", 3.5));
}

void add_ai_services(std::vector<Rule>& rules) {
  rules.push_back(token_rule(
      "openai-api-key", "OpenAI", Severity::high, "OpenAI API key",
      R"(\b(sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,})(?:[^A-Za-z0-9_-]|$))",
      {"t3blbkfj"}, "OPENAI_API_KEY=sk-proj-{w:40}T3BlbkFJ{w:40}", "OPENAI_API_KEY=sk-{w:40}"));
  rules.push_back(
      token_rule("anthropic-api-key", "Anthropic", Severity::high, "Anthropic API or admin key",
                 R"(\b(sk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_-]{80,128}AA)(?:[^A-Za-z0-9_-]|$))",
                 {"sk-ant-"}, "ANTHROPIC_API_KEY=sk-ant-api03-{w:93}AA",
                 "ANTHROPIC_API_KEY=sk-ant-api03-{w:20}"));
  rules.push_back(token_rule("huggingface-token", "Hugging Face", Severity::high,
                             "Hugging Face access token", R"(\b(hf_[A-Za-z]{34})\b)", {"hf_"},
                             "HF_TOKEN=hf_{A:17}{x:17}", "HF_TOKEN=hf_{x:10}", 3.0));
  rules.push_back(token_rule("vercel-token", "Vercel", Severity::high,
                             "Vercel access, integration, app, refresh or API key token",
                             R"(\b((?:vcp|vci|vca|vcr|vck)_[A-Za-z0-9]{20,60})\b)",
                             {"vcp_", "vci_", "vca_", "vcr_", "vck_"}, "VERCEL_TOKEN=vcp_{a:40}",
                             "VERCEL_TOKEN=vcp_{a:10}", 3.0));
  rules.push_back(token_rule("groq-api-key", "Groq", Severity::high, "Groq API key",
                             R"(\b(gsk_[A-Za-z0-9]{52})\b)", {"gsk_"}, "GROQ_API_KEY=gsk_{a:52}",
                             "GROQ_API_KEY=gsk_{a:12}", 3.0));
}

void add_saas(std::vector<Rule>& rules) {
  rules.push_back(token_rule("sendgrid-api-key", "SendGrid", Severity::high, "SendGrid API key",
                             R"(\b(SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})(?:[^A-Za-z0-9_-]|$))",
                             {"sg."}, "SENDGRID_API_KEY=SG.{w:22}.{w:43}",
                             "SENDGRID_API_KEY=SG.{w:22}"));
  rules.push_back(token_rule("twilio-api-key", "Twilio", Severity::high, "Twilio API key SID",
                             R"(\b(SK[0-9a-fA-F]{32})\b)", {"sk"}, "TWILIO_KEY=SK{h:32}",
                             "TWILIO_KEY=SK{h:12}", 3.0));
  rules.push_back(token_rule("mailgun-api-key", "Mailgun", Severity::high, "Mailgun API key",
                             R"(\b(key-[0-9a-f]{32})\b)", {"key-"}, "MAILGUN_API_KEY=key-{h:32}",
                             "MAILGUN_API_KEY=key-{h:8}", 3.0));
  rules.push_back(token_rule("mailchimp-api-key", "Mailchimp", Severity::high, "Mailchimp API key",
                             R"(\b([0-9a-f]{32}-us[0-9]{1,2})\b)", {"-us"},
                             "MAILCHIMP_KEY={h:32}-us14", "MAILCHIMP_KEY={h:12}-us14", 3.0));
  rules.push_back(token_rule("linear-api-key", "Linear", Severity::high, "Linear API key",
                             R"(\b(lin_api_[A-Za-z0-9_]{32,128})\b)", {"lin_api_"},
                             "LINEAR_API_KEY=lin_api_{a:40}", "LINEAR_API_KEY=lin_api_{a:8}", 3.0));
  rules.push_back(token_rule("notion-token", "Notion", Severity::high, "Notion integration token",
                             R"(\b(ntn_[0-9]{11}[A-Za-z0-9]{35}|secret_[A-Za-z0-9]{43})\b)",
                             {"ntn_", "secret_"}, "NOTION_TOKEN=ntn_{d:11}{a:35}",
                             "NOTION_TOKEN=ntn_{d:11}", 3.0));
  rules.push_back(token_rule("figma-token", "Figma", Severity::high, "Figma personal access token",
                             R"(\b(figd_[A-Za-z0-9_-]{40}))", {"figd_"}, "FIGMA_TOKEN=figd_{w:40}",
                             "FIGMA_TOKEN=figd_{w:8}", 3.0));
  rules.push_back(token_rule(
      "tailscale-key", "Tailscale", Severity::high, "Tailscale auth, API or OAuth client key",
      R"(\b(tskey-(?:api|auth|client|webhook|scim)-[A-Za-z0-9]{6,}-[A-Za-z0-9]{20,}))", {"tskey-"},
      "TS_AUTHKEY=tskey-auth-k{a:10}-{a:30}", "TS_AUTHKEY=tskey-auth-{a:6}"));
  rules.push_back(token_rule(
      "grafana-token", "Grafana", Severity::high, "Grafana service account or Grafana Cloud token",
      R"(\b(glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,400}={0,2}))",
      {"glsa_", "glc_"}, "GRAFANA_TOKEN=glsa_{a:32}_{h:8}", "GRAFANA_TOKEN=glsa_{a:8}", 3.0));
  rules.push_back(token_rule("new-relic-user-key", "New Relic", Severity::high,
                             "New Relic user API key", R"(\b(NRAK-[A-Z0-9]{27})\b)", {"nrak-"},
                             "NEW_RELIC_API_KEY=NRAK-{u:27}", "NEW_RELIC_API_KEY=NRAK-{u:8}", 3.0));
  rules.push_back(token_rule(
      "datadog-api-key", "Datadog", Severity::high, "Datadog API or application key",
      R"re((?i)(?:datadog|dd)_?(?:api|app(?:lication)?)_?key["']?\s*(?:[:=]|=>)\s*["']?([a-f0-9]{32,40})\b)re",
      {"datadog", "dd_api", "dd_app", "ddapi", "ddapp"}, "DD_API_KEY={h:32}", "DD_API_KEY={h:12}",
      3.0));
  rules.push_back(token_rule(
      "sentry-token", "Sentry", Severity::high, "Sentry organization or user auth token",
      R"(\b(sntrys_eyJ[A-Za-z0-9+/=_-]{80,}|sntryu_[a-f0-9]{64}))", {"sntrys_", "sntryu_"},
      "SENTRY_AUTH_TOKEN=sntryu_{h:64}", "SENTRY_AUTH_TOKEN=sntryu_{h:10}", 3.0));
  rules.push_back(token_rule("atlassian-api-token", "Atlassian", Severity::high,
                             "Atlassian (Jira, Confluence) API token",
                             R"(\b(ATATT3[A-Za-z0-9_=-]{186}))", {"atatt3"},
                             "JIRA_TOKEN=ATATT3{w:186}", "JIRA_TOKEN=ATATT3{w:20}", 3.5));
  rules.push_back(token_rule("postman-api-key", "Postman", Severity::high, "Postman API key",
                             R"(\b(PMAK-[a-f0-9]{24}-[a-f0-9]{34})\b)", {"pmak-"},
                             "POSTMAN_API_KEY=PMAK-{h:24}-{h:34}", "POSTMAN_API_KEY=PMAK-{h:8}",
                             3.0));
  rules.push_back(token_rule("onepassword-service-account-token", "1Password", Severity::high,
                             "1Password service account token", R"(\b(ops_ey[A-Za-z0-9+/=]{100,}))",
                             {"ops_eyj"}, "OP_SERVICE_ACCOUNT_TOKEN=ops_eyJ{b:300}",
                             "OP_SERVICE_ACCOUNT_TOKEN=ops_eyJ{b:60}", 4.0));
  rules.push_back(token_rule(
      "onepassword-secret-key", "1Password", Severity::high, "1Password account secret key",
      R"(\b(A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})(?:-[A-Z0-9]{5}){3})\b)",
      {"a3-"}, "secret key: A3-{u:6}-{u:6}-{u:5}-{u:5}-{u:5}-{u:5}", "id: A3-{u:6}-{u:5}", 3.5));
}

} // namespace

void add_service_rules(std::vector<Rule>& rules) {
  add_source_hosting(rules);
  add_chat(rules);
  add_payments(rules);
  add_registries(rules);
  add_ai_services(rules);
  add_saas(rules);
}

} // namespace secrets::builtin
