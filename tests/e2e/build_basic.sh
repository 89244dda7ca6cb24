#!/bin/bash
# cbuild build on real namespaces and overlayfs: every kind of instruction,
# the step cache (nothing changed, mtime only, one file changed, --no-cache,
# --explain), errors and their exit codes, and reproducible digests.
source "$(dirname "$0")/lib.sh"
[[ $(id -u) == 0 ]] || skip "cbuild build needs root (namespaces, overlayfs)"
store=$WORK/store
cb() { "$CBUILD" --root "$store" "$@"; }


make_busybox_rootfs rootfs
cb import rootfs busybox:local --env PATH=/bin --cmd /bin/sh >/dev/null

mkdir ctx ctx/conf
echo "hello" >ctx/hello.txt
echo "a=1" >ctx/conf/app.conf
echo "secret" >ctx/private.key
echo "*.key" >ctx/.dockerignore
cat >ctx/Dockerfile <<'DF'
FROM busybox:local
ARG GREETING=hi
ENV APP_HOME=/app
WORKDIR $APP_HOME
COPY hello.txt ./
COPY conf/ /etc/app/
COPY --chown=nobody --chmod=600 hello.txt /owned.txt
RUN echo "$GREETING from RUN" > run.txt && rm -f /bin/wget && rm -rf /home && mkdir /home
RUN test ! -e /bin/wget && echo "a deleted file stays deleted for later RUNs"
LABEL org.example.stage=test
USER nobody
EXPOSE 8080
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat /app/run.txt"]
DF

# 1. a cold build runs every step and tags the result
out=$(cb build -t app:1 ctx 2>build1.log) || { cat build1.log; fail "cold build failed"; }
id=$out
[[ $id =~ ^sha256:[0-9a-f]{64}$ ]] || fail "build printed '$id'"
log=$(cat build1.log)
expect_contains "$log" "#8 [8/14] RUN echo" "progress line of the RUN step"
[[ $(grep -c CACHED build1.log) == 0 ]] || fail "cold build reported CACHED steps"
unpack app:1 fs1
run_out=$(cb run --rootfs fs1 /bin/sh -c 'cat /app/run.txt')
expect_eq "$run_out" "hi from RUN" "RUN wrote its file with the ARG default"
cfg=$(cb inspect app:1)
python3 - "$cfg" <<'PY' || fail "config fields"
import json, sys
c = json.loads(sys.argv[1])[0]["Config"]["config"]
assert c["User"] == "nobody", c
assert c["WorkingDir"] == "/app", c
assert "APP_HOME=/app" in c["Env"], c
assert c["Labels"]["org.example.stage"] == "test", c
assert "8080/tcp" in c["ExposedPorts"], c
assert c["Entrypoint"] == ["/bin/sh", "-c"] and c["Cmd"] == ["cat /app/run.txt"], c
PY
files=$(cb run --rootfs fs1 /bin/sh -c 'ls /app; cat /etc/app/app.conf; stat -c "%u %a" /owned.txt; ls /bin/wget 2>&1; true')
expect_contains "$files" "hello.txt" "COPY into WORKDIR"
expect_contains "$files" "a=1" "COPY of a directory's contents"
expect_contains "$files" "65534 600" "COPY --chown by name and --chmod"
expect_contains "$files" "No such file" "a file deleted by RUN stays deleted"

# 2. nothing changed: every step is cached and the image id is the same
id2=$(cb build -t app:1 ctx 2>build2.log)
expect_eq "$id2" "$id" "image id of a rebuild with nothing changed"
[[ $(grep -c CACHED build2.log) == 13 ]] || { cat build2.log; fail "rebuild did not hit all 13 steps"; }

# 3. touching mtimes alone misses nothing
touch -d '2001-01-01' ctx/hello.txt ctx/conf/app.conf
id3=$(cb build ctx 2>build3.log)
expect_eq "$id3" "$id" "image id after touching mtimes"

# 4. one changed file misses exactly the COPY that selects it and what follows
echo "a=2" >ctx/conf/app.conf
cb build --explain ctx >/dev/null 2>build4.log
log=$(cat build4.log)
[[ $(grep -c CACHED build4.log) == 4 ]] || { cat build4.log; fail "expected 4 cached steps"; }
expect_contains "$log" "#6 cache miss: context files changed: conf/app.conf (changed)" "--explain of COPY"
expect_contains "$log" "#7 cache miss: an earlier step changed" "--explain of the next step"

# 5. a build arg misses from its ARG on; --no-cache runs everything
cb build --explain --build-arg GREETING=hey ctx >/dev/null 2>build5.log
expect_contains "$(cat build5.log)" "build arg GREETING changed 'hi' -> 'hey'" "--explain of a build arg"
cb build --no-cache --explain ctx >/dev/null 2>build6.log
[[ $(grep -c CACHED build6.log) == 0 ]] || fail "--no-cache used the cache"
expect_contains "$(cat build6.log)" "cache miss: --no-cache was given" "--explain with --no-cache"

# 6. errors: a failing RUN exits 1 with its line and output; bad input exits 2
printf 'FROM busybox:local\nRUN echo about to fail && exit 3\n' >ctx/Dockerfile.fail
set +e
cb build -f ctx/Dockerfile.fail ctx >/dev/null 2>fail.log; rc=$?
set -e
expect_eq "$rc" "1" "exit code of a failing RUN"
expect_contains "$(cat fail.log)" "exited with code 3" "failure names the exit code"
expect_contains "$(cat fail.log)" "ctx/Dockerfile.fail:2" "failure names the Dockerfile line"
expect_contains "$(cat fail.log)" "about to fail" "failure shows the last output"
printf 'FROM busybox:local\nRUNN true\n' >ctx/Dockerfile.bad
set +e
cb build -f ctx/Dockerfile.bad ctx >/dev/null 2>bad.log; rc=$?
set -e
expect_eq "$rc" "2" "exit code of a bad Dockerfile"
expect_contains "$(cat bad.log)" "unknown instruction" "parser diagnostics are printed"
printf 'FROM busybox:local\nCOPY private.key /\n' >ctx/Dockerfile.ign
set +e
cb build -f ctx/Dockerfile.ign ctx >/dev/null 2>ign.log; rc=$?
set -e
[[ $rc != 0 ]] || fail "COPY of an ignored file succeeded"
expect_contains "$(cat ign.log)" "excluded by .dockerignore" "COPY of an ignored file says why"
printf 'FROM docker.io/library/alpine:3\n' >ctx/Dockerfile.pull
set +e
cb build -f ctx/Dockerfile.pull ctx >/dev/null 2>pull.log; rc=$?
set -e
expect_eq "$rc" "2" "exit code of a base image not in the store"
expect_contains "$(cat pull.log)" "not in the local store" "missing base image message"
# a directory over what the image has as a symlink (merged /usr, as in
# Debian 12): refused as BuildKit does, not silently replaced
mkdir -p ctx/tree/lib
echo x >ctx/tree/lib/x
printf 'FROM busybox:local\nRUN mkdir -p /usr/lib && ln -s usr/lib /lib\nCOPY tree /\n' >ctx/Dockerfile.nondir
set +e
cb build -f ctx/Dockerfile.nondir ctx >/dev/null 2>nondir.log; rc=$?
set -e
expect_eq "$rc" "2" "exit code of a directory copied over a symlink"
expect_contains "$(cat nondir.log)" "cannot copy to non-directory: /lib is a symlink in the image" "non-directory message"
rm -rf ctx/tree ctx/Dockerfile.nondir

# 7. SOURCE_DATE_EPOCH: two clean stores give the same image digest
for s in repro1 repro2; do
  SOURCE_DATE_EPOCH=1700000000 "$CBUILD" --root $s import rootfs busybox:local --env PATH=/bin >/dev/null
  SOURCE_DATE_EPOCH=1700000000 "$CBUILD" --root $s build -q ctx >$s.id 2>/dev/null
done
expect_eq "$(cat repro1.id)" "$(cat repro2.id)" "image id from clean stores with SOURCE_DATE_EPOCH"
echo "ok"
