#!/usr/bin/env python3
"""Generates the layer-writer benchmark tree deterministically.

usage: make_bench_tree.py DIR [SCALE]
About 500 MB at SCALE 1: 40,000 small files (0.5-40 KB, mostly text-like,
some incompressible) in 400 directories, plus 4 larger files of 20 MB, a few
symlinks and hardlinks. Same SCALE, same bytes, on any machine.
"""
import os
import random
import sys

root = sys.argv[1]
scale = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
rng = random.Random(20261129)

words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz_") for _ in range(rng.randint(2, 10)))
         for _ in range(3000)]
text_pool = bytearray()
while len(text_pool) < 48 << 20:
    line = " ".join(rng.choice(words) for _ in range(rng.randint(3, 14)))
    text_pool += (("    " * rng.randint(0, 3)) + line + "\n").encode()
binary_pool = rng.randbytes(8 << 20)

def content(size):
    pool = binary_pool if rng.random() < 0.2 else text_pool
    start = rng.randrange(0, len(pool) - size)
    return pool[start:start + size]

os.makedirs(root, exist_ok=True)
files = int(40000 * scale)
for i in range(files):
    d = os.path.join(root, "usr", "lib", f"pkg{i % 400:03d}", f"sub{(i // 400) % 8}")
    os.makedirs(d, exist_ok=True)
    size = min(int(rng.lognormvariate(8.6, 1.0)) + 512, 40000)
    with open(os.path.join(d, f"file{i:05d}.dat"), "wb") as f:
        f.write(content(size))
big = os.path.join(root, "opt", "big")
os.makedirs(big, exist_ok=True)
for i in range(4):
    with open(os.path.join(big, f"blob{i}.bin"), "wb") as f:
        for _ in range(int(20 * scale)):
            f.write(content(1 << 20))
os.makedirs(os.path.join(root, "bin"), exist_ok=True)
for i in range(20):
    link = os.path.join(root, "bin", f"tool{i}")
    if not os.path.lexists(link):
        os.symlink(f"../usr/lib/pkg{i:03d}/sub0/file{i:05d}.dat", link)
    hard = os.path.join(root, "bin", f"hard{i}")
    if not os.path.exists(hard):
        os.link(os.path.join(root, "usr", "lib", f"pkg{i:03d}", "sub0", f"file{i:05d}.dat"), hard)
# Fixed times, so every run of the generator gives the same layer.
for dirpath, dirnames, filenames in os.walk(root):
    for name in dirnames + filenames:
        os.utime(os.path.join(dirpath, name), (1700000000, 1700000000), follow_symlinks=False)
os.utime(root, (1700000000, 1700000000))
