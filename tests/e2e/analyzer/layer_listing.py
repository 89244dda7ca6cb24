#!/usr/bin/env python3
"""Lists each layer of a saved image with GNU `tar -tv`, independently of cscan:
prints one JSON line per layer {"files", "whiteouts", "size"} in manifest order.
usage: layer_listing.py docker-archive FILE | oci-archive FILE | oci DIR"""
import json, os, subprocess, sys, tarfile, tempfile


def docker_layers(path):
    with tarfile.open(path) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        for name in manifest[0]["Layers"]:
            yield tar.extractfile(name).read()  # follows podman's symlinked layer.tar


def oci_layers(read):
    index = json.loads(read("index.json"))
    digest = index["manifests"][0]["digest"]
    manifest = json.loads(read("blobs/sha256/" + digest.split(":")[1]))
    for layer in manifest["layers"]:
        yield read("blobs/sha256/" + layer["digest"].split(":")[1])


def listing(blob):
    with tempfile.NamedTemporaryFile() as f:
        f.write(blob)
        f.flush()
        out = subprocess.run(["tar", "-tvf", f.name], check=True, stdout=subprocess.PIPE,
                             text=True).stdout
    files = whiteouts = size = 0
    for line in out.splitlines():
        perms, _owner, length, _date, _time, name = line.split(None, 5)
        name = name.split(" -> ")[0].split(" link to ")[0]
        base = name.rstrip("/").rsplit("/", 1)[-1]
        if name in ("./", "."):
            continue
        if base.startswith(".wh."):
            whiteouts += 1
            continue
        files += 1
        if perms.startswith("-"):
            size += int(length)
    return {"files": files, "whiteouts": whiteouts, "size": size}


def main():
    form, path = sys.argv[1], sys.argv[2]
    if form == "docker-archive":
        blobs = docker_layers(path)
    elif form == "oci-archive":
        tar = tarfile.open(path)
        blobs = oci_layers(lambda name: tar.extractfile(name).read())
    else:
        blobs = oci_layers(lambda name: open(os.path.join(path, name), "rb").read())
    for blob in blobs:
        print(json.dumps(listing(blob)))


if __name__ == "__main__":
    main()
