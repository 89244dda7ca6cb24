#!/usr/bin/env python3
"""Writes a directory of FAKE credentials, one file per kind, for the
secretlint side-by-side check (secretlint_compare.sh) and the benchmark.

Every value is made at run time from pieces and a seeded random generator:
well-formed (right prefix, length and alphabet) but not a real credential.
Prefixes are split ("gh" + "p_") so this source file itself trips no scanner.
Private keys are generated fresh with openssl/ssh-keygen when available.

usage: seed_fake_secrets.py DIR
"""
import base64
import json
import os
import random
import shutil
import subprocess
import sys

R = random.Random(20261129)
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
LOWER = "abcdefghijklmnopqrstuvwxyz"
DIGITS = "0123456789"
ALNUM = UPPER + LOWER + DIGITS
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "_-"


def rand(alphabet, n):
    return "".join(R.choice(alphabet) for _ in range(n))


def p(*pieces):
    """Joins prefix pieces; keeps literal token prefixes out of this file."""
    return "".join(pieces)


def pem(kind_args):
    try:
        return subprocess.run(kind_args, check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None


def onepassword_token():
    # base64 of a JSON object whose encoding ends in "fQ" (a closing brace).
    body = {"signInAddress": "my.1password.example", "email": "ci@example.com",
            "secretKey": rand(ALNUM, 40), "deviceUuid": rand(HEX, 26)}
    text = json.dumps(body, separators=(",", ":"))
    while len(text) % 3 != 1:
        body["pad"] = body.get("pad", "") + "x"
        text = json.dumps(body, separators=(",", ":"))
    return p("op", "s_") + base64.b64encode(text.encode()).decode().rstrip("=")


def text_files():
    aws_id = p("AK", "IA") + rand("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
    return {
        "aws.env": f"AWS_ACCESS_KEY_ID={aws_id}\nAWS_SECRET_ACCESS_KEY={rand(B64, 40)}\n",
        "github.txt": "\n".join([
            p("gh", "p_") + rand(ALNUM, 36), p("gh", "o_") + rand(ALNUM, 36),
            p("gh", "s_") + rand(ALNUM, 36),
            p("github", "_pat_") + rand(ALNUM, 22) + "_" + rand(ALNUM, 59)]) + "\n",
        "gitlab.txt": "GITLAB_TOKEN=" + p("gl", "pat-") + rand(URLSAFE, 20) + "\n",
        "slack.txt": "bot=" + p("xo", "xb-") + rand(DIGITS, 12) + "-" + rand(DIGITS, 13) + "-" +
                     rand(ALNUM, 24) + "\nhook=https://" + p("hooks.sl", "ack.com") + "/services/T" +
                     rand(UPPER + DIGITS, 8) + "/B" + rand(UPPER + DIGITS, 10) + "/" + rand(ALNUM, 24) + "\n",
        "stripe.txt": "STRIPE_SECRET_KEY=" + p("sk", "_live_") + rand(ALNUM, 24) + "\n",
        "npm-token.txt": "NPM_TOKEN=" + p("np", "m_") + rand(ALNUM, 36) + "\n",
        "npmrc/.npmrc": "//registry.npmjs.org/:" + p("_auth", "Token=") + rand(URLSAFE, 36) + "\n",
        "basicauth.txt": "repo=https://deploy:" + rand(ALNUM, 16) + "@git.acme-corp.io/app.git\n",
        "postgres.txt": "DATABASE_URL=postgres://app:" + rand(ALNUM, 16) + "@db.example.com:5432/app\n",
        "mysql.txt": "DSN=mysql://app:" + rand(ALNUM, 16) + "@mysql.example.com:3306/shop\n",
        "mongodb.txt": "MONGO_URL=mongodb+srv://app:" + rand(ALNUM, 16) + "@cluster0.example.net/db\n",
        "sendgrid.txt": "SENDGRID_API_KEY=" + p("S", "G.") + rand(URLSAFE, 22) + "." + rand(URLSAFE, 43) + "\n",
        "shopify.txt": "SHOPIFY_TOKEN=" + p("shp", "at_") + rand(HEX, 32) + "\n",
        "openai.txt": "OPENAI_API_KEY=" + p("sk", "-proj-") + rand(URLSAFE, 74) + p("T3Blb", "kFJ") +
                      rand(URLSAFE, 74) + "\n",
        "anthropic.txt": "ANTHROPIC_API_KEY=" + p("sk-", "ant-api03-") + rand(URLSAFE, 93) + "AA\n",
        "huggingface.txt": "HF_TOKEN=" + p("h", "f_") + rand(UPPER + LOWER, 34) + "\n",
        "vault.txt": "VAULT_TOKEN=" + p("hv", "s.") + rand(URLSAFE, 95) + "\n",
        "databricks.txt": "DATABRICKS_TOKEN=" + p("da", "pi") + rand(HEX, 32) + "\n",
        "dockerhub.txt": "DOCKER_TOKEN=" + p("dckr", "_pat_") + rand(URLSAFE, 27) + "\n",
        "grafana.txt": "GRAFANA_TOKEN=" + p("gl", "sa_") + rand(ALNUM, 32) + "_" + rand(HEX, 8) +
                       "\nGRAFANA_CLOUD=" + p("gl", "c_") + rand(ALNUM, 60) + "\n",
        "groq.txt": "GROQ_API_KEY=" + p("gs", "k_") + rand(ALNUM, 52) + "\n",
        "linear.txt": "LINEAR_API_KEY=" + p("lin", "_api_") + rand(ALNUM, 40) + "\n",
        "notion.txt": "NOTION_TOKEN=" + p("nt", "n_") + rand(DIGITS, 11) + rand(ALNUM, 35) + "\n",
        "vercel.txt": "VERCEL_TOKEN=" + p("vc", "p_") + rand(ALNUM, 40) + "\n",
        "figma.txt": "FIGMA_TOKEN=" + p("fi", "gd_") + rand(URLSAFE, 40) + "\n",
        "onepassword.txt": "OP_SERVICE_ACCOUNT_TOKEN=" + onepassword_token() + "\n",
    }


def key_files(root):
    keys = {
        "rsa-traditional.pem": ["openssl", "genrsa", "-traditional", "2048"],
        "ec.pem": ["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout"],
        "pkcs8.pem": ["openssl", "genpkey", "-algorithm", "ed25519"],
    }
    out = {}
    for name, args in keys.items():
        text = pem(args)
        if text:
            out[name] = text
    if shutil.which("ssh-keygen"):
        path = os.path.join(root, "openssh_key")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "fake", "-f", path],
                       check=True)
        os.remove(path + ".pub")
    # A GCP-style service account JSON around a fresh key.
    key = out.get("rsa-traditional.pem") and pem(["openssl", "genpkey", "-algorithm", "RSA",
                                                 "-pkeyopt", "rsa_keygen_bits:2048"])
    if key:
        out["gcp-service-account.json"] = json.dumps({
            "type": "service_account", "project_id": "fake-project",
            "private_key_id": rand(HEX, 40), "private_key": key,
            "client_email": "fake@fake-project.iam.gserviceaccount.com",
            "client_id": rand(DIGITS, 21)}, indent=2) + "\n"
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    os.makedirs(root, exist_ok=True)
    files = text_files()
    files.update(key_files(root))
    for name, text in files.items():
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    print(len(os.listdir(root)), "entries in", root)


if __name__ == "__main__":
    main()
