#!/usr/bin/env python3
"""Compares the image cbuild built with the one buildah built from the same
(or an equivalent) Dockerfile: the file systems (path, type, mode, owner,
size, content digest, link target; not mtimes) and the config fields Docker
users see. Prints one line per difference that KNOWN does not list and exits
1 when there is one.

usage: compare.py CBUILD_ROOTFS CBUILD_CONFIG.json BUILDAH_ROOTFS BUILDAH_CONFIG.json KNOWN
KNOWN: lines `fs PATH # reason` or `config KEY # reason` (a missing file is
an empty list); every line must give its reason after '#'.
"""
import hashlib
import json
import os
import stat
import sys

CONFIG_KEYS = ["Env", "Cmd", "Entrypoint", "WorkingDir", "User", "ExposedPorts",
               "Volumes", "Labels", "StopSignal", "Healthcheck"]
# buildah stamps its own version on every image it builds.
BUILDAH_LABELS = {"io.buildah.version"}
# Mount points the RUN sandboxes create in the image's tree themselves.
SKIP = {"/proc", "/sys", "/dev"}
# buildah's RUN leaves the mount points of the files it bind-mounts (and
# /run) behind in the image as empty files/directories; docker build
# (BuildKit) does not. Ignored only when cbuild has no such path and
# buildah's is empty.
BUILDAH_RUN_STUBS = {"/etc/hostname", "/etc/hosts", "/etc/resolv.conf", "/run"}


def describe(path):
    st = os.lstat(path)
    kind = stat.S_IFMT(st.st_mode)
    entry = {"mode": oct(stat.S_IMODE(st.st_mode)), "owner": f"{st.st_uid}:{st.st_gid}"}
    if stat.S_ISREG(kind):
        with open(path, "rb") as f:
            entry["file"] = f"{st.st_size} bytes sha256:{hashlib.sha256(f.read()).hexdigest()[:16]}"
    elif stat.S_ISLNK(kind):
        entry["symlink"] = os.readlink(path)
        del entry["mode"]
    elif stat.S_ISDIR(kind):
        entry["dir"] = True
    else:
        entry["special"] = f"{oct(kind)} {os.major(st.st_rdev)}:{os.minor(st.st_rdev)}"
    return entry


def walk(root):
    out = {}
    for top, dirs, files in os.walk(root):
        rel_top = "/" + os.path.relpath(top, root) if top != root else ""
        for name in dirs + files:
            rel = f"{rel_top}/{name}"
            if rel in SKIP:
                continue
            out[rel] = describe(os.path.join(top, name))
        dirs[:] = [d for d in dirs if f"{rel_top}/{d}" not in SKIP]
    return out


def is_empty(path):
    if os.path.isdir(path) and not os.path.islink(path):
        return not os.listdir(path)
    return os.path.isfile(path) and os.path.getsize(path) == 0


def config_fields(doc):
    cfg = doc.get("config") or doc.get("Config") or {}
    out = {}
    for key in CONFIG_KEYS:
        value = cfg.get(key)
        if key == "Labels" and value:
            value = {k: v for k, v in value.items() if k not in BUILDAH_LABELS}
        if value in (None, {}, [], ""):
            value = None  # absent and empty are the same to docker inspect
        out[key] = value
    return out


def read_known(path):
    known = set()
    if not os.path.exists(path):
        return known
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            entry, _, reason = line.partition("#")
            if not reason.strip():
                sys.exit(f"{path}:{number}: a known difference needs its reason after '#'")
            known.add(" ".join(entry.split()))
    return known


def main():
    cb_root, cb_config, bh_root, bh_config, known_file = sys.argv[1:6]
    known = read_known(known_file)
    problems = []
    a, b = walk(cb_root), walk(bh_root)
    for path in sorted(set(a) | set(b)):
        if path in BUILDAH_RUN_STUBS and path not in a and is_empty(os.path.join(bh_root, path[1:])):
            continue
        if a.get(path) != b.get(path) and f"fs {path}" not in known:
            problems.append(f"fs {path}: cbuild={a.get(path)} buildah={b.get(path)}")
    with open(cb_config) as f:
        ca = config_fields(json.load(f))
    with open(bh_config) as f:
        cb = config_fields(json.load(f))
    for key in CONFIG_KEYS:
        if ca[key] != cb[key] and f"config {key}" not in known:
            problems.append(f"config {key}: cbuild={json.dumps(ca[key])} buildah={json.dumps(cb[key])}")
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
