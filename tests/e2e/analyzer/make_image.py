#!/usr/bin/env python3
"""Crafts small test images from a JSON spec, in docker-archive, OCI archive or
OCI layout form, for cscan's end-to-end tests.

spec: {"layers": [{"created_by": "...", "compress": "none|gzip|zstd",
                   "entries": [{"path": "a", "type": "file|dir|symlink|hardlink|whiteout|opaque",
                                "size": 10, "fill": "x", "mode": 420, "link": "..."}]}],
       "config": {... merged into the image config's "config" ...}}
usage: make_image.py SPEC.json OUT --form docker|oci-archive|oci-dir [--corrupt diff_id|digest]
"""
import argparse, gzip, hashlib, io, json, os, subprocess, sys, tarfile


def layer_tar(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for e in entries:
            kind = e.get("type", "file")
            path = e["path"]
            if kind == "whiteout":
                head, _, base = path.rpartition("/")
                path = (head + "/" if head else "") + ".wh." + base
                kind = "file"
            elif kind == "opaque":
                path = (path + "/" if path else "") + ".wh..wh..opq"
                kind = "file"
            info = tarfile.TarInfo(path)
            info.mtime = 0
            info.mode = e.get("mode", 0o755 if kind == "dir" else 0o644)
            data = b""
            if kind == "file":
                data = (e.get("fill", "x") * e.get("size", 0)).encode()[: e.get("size", 0)]
                info.size = len(data)
            elif kind == "dir":
                info.type = tarfile.DIRTYPE
            elif kind == "symlink":
                info.type = tarfile.SYMTYPE
                info.linkname = e["link"]
            elif kind == "hardlink":
                info.type = tarfile.LNKTYPE
                info.linkname = e["link"]
            if "xattrs" in e:
                info.pax_headers = {"SCHILY.xattr." + k: v for k, v in e["xattrs"].items()}
            tar.addfile(info, io.BytesIO(data) if kind == "file" else None)
    return buf.getvalue()


def compress(data, how):
    if how == "gzip":
        return gzip.compress(data, mtime=0)
    if how == "zstd":
        return subprocess.run(["zstd", "-q", "-c"], input=data, stdout=subprocess.PIPE, check=True).stdout
    return data


MEDIA = {"none": "application/vnd.oci.image.layer.v1.tar",
         "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
         "zstd": "application/vnd.oci.image.layer.v1.tar+zstd"}


def sha(data):
    return hashlib.sha256(data).hexdigest()


def build(spec, corrupt):
    layers, diff_ids, history = [], [], []
    for layer in spec["layers"]:
        tar = layer_tar(layer["entries"])
        blob = compress(tar, layer.get("compress", "none"))
        diff_ids.append("sha256:" + sha(tar))
        layers.append((blob, layer.get("compress", "none")))
        history.append({"created": "2024-01-01T00:00:00Z", "created_by": layer.get("created_by", "")})
    if corrupt == "diff_id":
        diff_ids[-1] = "sha256:" + "0" * 64
    config = {"architecture": "amd64", "os": "linux", "created": "2024-01-01T00:00:00Z",
              "config": spec.get("config", {}),
              "rootfs": {"type": "layers", "diff_ids": diff_ids}, "history": history}
    return layers, json.dumps(config, sort_keys=True).encode()


def write_docker(out, layers, config, corrupt):
    cfg_name = sha(config) + ".json"
    names = []
    with tarfile.open(out, "w") as tar:
        def add(name, data):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        add(cfg_name, config)
        for i, (blob, _) in enumerate(layers):
            name = "%02d%s/layer.tar" % (i, sha(blob)[:10])
            if corrupt == "digest" and i == len(layers) - 1:
                blob = blob[:-1] + bytes([blob[-1] ^ 1])
            add(name, blob)
            names.append(name)
        add("manifest.json", json.dumps([{"Config": cfg_name, "RepoTags": ["test:latest"],
                                          "Layers": names}]).encode())


def oci_files(layers, config, corrupt):
    files = {"oci-layout": b'{"imageLayoutVersion": "1.0.0"}'}
    descs = []
    for blob, how in layers:
        files["blobs/sha256/" + sha(blob)] = blob
        descs.append({"mediaType": MEDIA[how], "digest": "sha256:" + sha(blob), "size": len(blob)})
    if corrupt == "digest":
        name = "blobs/sha256/" + sha(layers[-1][0])
        files[name] = files[name][:-1] + bytes([files[name][-1] ^ 1])
    files["blobs/sha256/" + sha(config)] = config
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                      "digest": "sha256:" + sha(config), "size": len(config)},
                           "layers": descs}).encode()
    files["blobs/sha256/" + sha(manifest)] = manifest
    files["index.json"] = json.dumps({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + sha(manifest),
         "size": len(manifest), "annotations": {"org.opencontainers.image.ref.name": "latest"}}]}).encode()
    return files


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("spec")
    ap.add_argument("out")
    ap.add_argument("--form", default="docker", choices=["docker", "oci-archive", "oci-dir"])
    ap.add_argument("--corrupt", choices=["diff_id", "digest"])
    args = ap.parse_args()
    with open(args.spec) as f:
        spec = json.load(f)
    layers, config = build(spec, args.corrupt)
    if args.form == "docker":
        write_docker(args.out, layers, config, args.corrupt)
        return
    files = oci_files(layers, config, args.corrupt)
    if args.form == "oci-dir":
        for name, data in files.items():
            path = os.path.join(args.out, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
        return
    with tarfile.open(args.out, "w") as tar:
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


if __name__ == "__main__":
    main()
