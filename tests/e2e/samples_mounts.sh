#!/bin/bash
# The mount samples' own checks: the leaky image has the key in a layer, the
# fixed one has it nowhere (image, store, output), the cache mount is reused
# and stays out of the image.
source "$(dirname "$0")/lib.sh"
[[ $(id -u) == 0 ]] || skip "cbuild build needs root (namespaces, overlayfs)"
for sample in secret-leak secret-mount cache-mount; do
  rc=0
  CBUILD=$CBUILD sh "$REPO/samples/$sample/run.sh" >"$sample.log" 2>&1 || rc=$?
  [[ $rc == 77 ]] && { cat "$sample.log"; skip "$sample cannot run here"; }
  [[ $rc == 0 ]] || { cat "$sample.log"; fail "samples/$sample/run.sh exited $rc"; }
done
echo "ok"
