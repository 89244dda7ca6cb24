#!/bin/bash
# RUN --mount (secret, cache, bind, tmpfs, ssh), RUN --network and --security,
# build --secret/--ssh/--allow, on real namespaces and overlayfs: each mount
# type and option works, a mount leaves no trace in the layer, and bad input
# gets a clear error with exit code 2.
source "$(dirname "$0")/lib.sh"
start_build_store
mkdir ctx

# build NAME DOCKERFILE-TEXT [FLAGS...]: builds ctx with that Dockerfile as NAME.
build() {
  local name=$1 text=$2; shift 2
  printf '%s\n' "$text" >ctx/Dockerfile
  cb build -t "$name" "$@" ctx >"$name.out" 2>"$name.log" || { cat "$name.log"; fail "build $name"; }
}
# build_fails NAME DOCKERFILE-TEXT [FLAGS...]: expects exit code 2; the log is NAME.log.
build_fails() {
  local name=$1 text=$2 rc=0; shift 2
  printf '%s\n' "$text" >ctx/Dockerfile
  cb build "$@" ctx >/dev/null 2>"$name.log" || rc=$?
  [[ $rc == 2 ]] || { cat "$name.log"; fail "$name: expected exit code 2, got $rc"; }
}
# last_layer NAME: the entries of the image's top layer.
last_layer() {
  rm -rf img && mkdir img && cb save -o img/i.tar "$1" && tar -xf img/i.tar -C img
  local top
  top=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["Layers"][-1])' img/manifest.json)
  tar -tf "img/$top" | sort
}
in_image() { cb run "$1" sh -c "$2"; }

# 1. secrets: default target, target/mode/uid/gid, env=, an optional absent secret
printf 's3cr3t-value-1234' >secret.txt
true & dead=$!; wait $dead # a secret dir of a killed cbuild (its pid is gone) is removed
mkdir -m 700 "/dev/shm/cbuild-secrets-$dead-stale"
hash=$(sha256sum <secret.txt | cut -c1-64) # the Dockerfile compares hashes: its text is in the history
build sec 'FROM busybox:local
RUN --mount=type=secret,id=tok test "$(sha256sum </run/secrets/tok | cut -c1-64)" = '$hash' && echo "shown: $(cat /run/secrets/tok)" && touch /ok-default
RUN --mount=type=secret,id=tok,target=/etc/app/token,mode=0440,uid=65534,gid=65534 stat -c "%a %u %g" /etc/app/token >/seen-mode
RUN --mount=type=secret,id=tok,env=TOKEN test "$(printf %s "$TOKEN" | sha256sum | cut -c1-64)" = '$hash' && test ! -e /run/secrets/tok && echo env-ok >/seen-env
RUN --mount=type=secret,id=absent test ! -e /run/secrets/absent && touch /ok-absent' \
  --secret id=tok,src=secret.txt
expect_eq "$(in_image sec 'ls /ok-default /ok-absent')" "$(printf '/ok-absent\n/ok-default')" "secret at /run/secrets/<id>; absent optional secret skipped"
expect_eq "$(in_image sec 'cat /seen-mode')" "440 65534 65534" "secret target, mode, uid, gid"
expect_eq "$(in_image sec 'cat /seen-env')" "env-ok" "secret as env=TOKEN only"
expect_eq "$(in_image sec 'ls /run 2>&1; test -e /etc/app && echo etc-app')" "ls: /run: No such file or directory" "no mountpoint traces (/run, /etc/app)"
expect_contains "$(cat sec.log)" "shown: ****" "RUN output shows the secret masked"
[[ $(grep -c s3cr3t-value sec.log) == 0 ]] || fail "secret in the progress output"
printf 'FROM busybox:local\nRUN --mount=type=secret,id=tok,env=T test "$T" = from-env-1234 && touch /ok\n' >ctx/Dockerfile
TOKEN_ENV=from-env-1234 cb build -q --secret id=tok,env=TOKEN_ENV ctx >/dev/null 2>&1 || fail "--secret id=,env="
printf 'FROM busybox:local\nRUN --mount=type=secret,id=TOKEN_ENV,env=V test "$V" = bare-id-env\n' >ctx/Dockerfile
TOKEN_ENV=bare-id-env cb build -q --secret id=TOKEN_ENV ctx >/dev/null 2>&1 || fail "a bare --secret id reads the env var of that name"

# 2. the secret's content is nowhere in the store (layer blobs decompressed)
leaks=$(find "$store" -type f | while read -r f; do
  if gzip -t "$f" 2>/dev/null; then gzip -dc "$f"; else cat "$f"; fi | grep -qF s3cr3t-value-1234 && echo "$f"
done || true)
expect_eq "$leaks" "" "store files holding the secret"
[[ ! -e /dev/shm/cbuild-secrets-$dead-stale ]] || fail "stale secret dir of a dead cbuild left in /dev/shm"
for d in /dev/shm/cbuild-secrets-*; do # any left by a cbuild that has ended
  [[ -e $d ]] || continue; p=${d#/dev/shm/cbuild-secrets-}
  kill -0 "${p%%-*}" 2>/dev/null || fail "secret dir $d left in /dev/shm"
done

# 3. secret errors: a failing RUN's last output lines, required and absent,
# missing file, unknown option
printf 'FROM busybox:local\nRUN --mount=type=secret,id=tok echo failing && cat /run/secrets/tok && exit 3\n' >ctx/Dockerfile
rc=0; cb build --secret id=tok,src=secret.txt ctx >/dev/null 2>runfail.log || rc=$?
expect_eq "$rc" "1" "exit code of a failing RUN with a secret"
expect_contains "$(cat runfail.log)" "last output:
    failing
    ****" "the failure's last output masks the secret"
[[ $(grep -c s3cr3t-value runfail.log) == 0 ]] || fail "secret in the error message"
build_fails req 'FROM busybox:local
RUN --mount=type=secret,id=npmrc,required=true true'
expect_contains "$(cat req.log)" "Dockerfile:2: secret 'npmrc' is required but was not given" "required secret"
build_fails nofile 'FROM busybox:local' --secret id=tok,src=does-not-exist
expect_contains "$(cat nofile.log)" "--secret id=tok: cannot read '$WORK/does-not-exist'" "missing secret file"
build_fails badopt 'FROM busybox:local
RUN --mount=type=tmpfs,target=/t,sharing=locked true'
expect_contains "$(cat badopt.log)" "Dockerfile:2" "bad option: line"
expect_contains "$(cat badopt.log)" "invalid cache sharing set for tmpfs mount" "bad option: parser message"
build_fails badkey 'FROM busybox:local
ARG T=/t
RUN --mount=type=tmpfs,target=$T,id=x true'
expect_contains "$(cat badkey.log)" "Dockerfile:3: RUN --mount=type=tmpfs,target=/t,id=x: unsupported option 'id' for type=tmpfs (accepted: type, target (dst, destination), size)" "unknown option names the accepted ones"
build_fails typo 'FROM busybox:local
RUN --mount=type=cache,target=/c,sharng=locked true'
expect_contains "$(cat typo.log)" "sharng" "parser error names the option"
expect_contains "$(cat typo.log)" "type=cache accepts: type, id, target" "parser error lists the accepted keys"

# 4. cache mounts persist across builds, stay out of the image, take id/mode/uid/gid
cache_df='FROM busybox:local
ARG N=1
RUN --mount=type=cache,target=/var/cache/x,mode=0700,uid=65534 stat -c "%a %u" /var/cache/x >/mode && echo "$N" >>/var/cache/x/runs && cp /var/cache/x/runs /runs
RUN --mount=type=cache,id=shared,target=/a,sharing=locked echo from-a >/a/f
RUN --mount=type=cache,id=shared,target=/b,sharing=private,ro cat /b/f >/b-seen'
build cache1 "$cache_df" --build-arg N=1
build cache2 "$cache_df" --build-arg N=2
expect_eq "$(in_image cache2 'cat /runs')" "$(printf '1\n2')" "the cache kept the first build's file"
expect_eq "$(in_image cache2 'cat /mode /b-seen')" "$(printf '700 65534\nfrom-a')" "mode/uid and a shared id"
expect_eq "$(in_image cache2 'ls /var /a /b 2>&1 | grep -vc "No such file"')" "0" "no cache mountpoints in the image"
dir=$store/cache-mounts/$(printf %s /var/cache/x | sha256sum | cut -c1-64)
[[ -f $dir/runs ]] || fail "cache dir at <store>/cache-mounts/<sha256 of id>"
build cachefrom 'FROM busybox:local AS seed
RUN mkdir -p /seed/sub && echo seeded >/seed/sub/s
FROM busybox:local
RUN --mount=type=cache,id=seeded,target=/c,from=seed,source=/seed/sub cat /c/s >/got'
expect_eq "$(in_image cachefrom 'cat /got')" "seeded" "cache from=stage,source= seeds a new cache"

# sharing=locked: two builds at once take turns (each RUN logs start and end)
mkdir lock1 lock2
for d in lock1 lock2; do
  printf 'FROM busybox:local\nRUN --mount=type=cache,id=turns,target=/c,sharing=locked echo start >>/c/log && sleep 1 && echo end >>/c/log # %s\n' $d >$d/Dockerfile
done
cb build -q lock1 >/dev/null 2>&1 & first=$!
cb build -q lock2 >/dev/null 2>&1 || fail "second locked build"
wait $first || fail "first locked build"
expect_eq "$(cat "$store/cache-mounts/$(printf turns | sha256sum | cut -c1-64)/log" | tr '\n' ' ')" "start end start end " "sharing=locked serialises the RUNs"

# 5. bind mounts: the context (ro, .dockerignore honoured), rw discarded, from a stage
mkdir -p ctx/data && echo bound >ctx/data/file && echo hidden >ctx/data/ignored.key && echo '*.key' >ctx/.dockerignore
echo '*/*.key' >>ctx/.dockerignore
build bind 'FROM busybox:local AS tools
RUN echo tool >/tool
FROM busybox:local
RUN --mount=target=/src cat /src/data/file >/ro && ! touch /src/x 2>/dev/null && echo ro >>/ro
RUN --mount=type=bind,source=data,target=/d ls /d >/listing
RUN --mount=type=bind,source=data,target=/w,rw echo changed >/w/file && touch /w/new && cat /w/file >/rw
RUN --mount=type=bind,from=tools,source=/tool,target=/t cat /t >/from-stage'
expect_eq "$(in_image bind 'cat /ro')" "$(printf 'bound\nro')" "bind of the context, read-only"
expect_eq "$(in_image bind 'cat /listing')" "file" ".dockerignore applies to bind mounts"
expect_eq "$(in_image bind 'cat /rw /from-stage')" "$(printf 'changed\ntool')" "rw bind and from=stage"
expect_eq "$(cat ctx/data/file)" "bound" "rw changes are discarded"
[[ ! -e ctx/data/new ]] || fail "rw bind wrote into the context"
echo bound2 >ctx/data/file
build bind2 "$(cat ctx/Dockerfile)"
[[ $(grep -c CACHED bind2.log) -lt 5 ]] || fail "a changed bound file must invalidate the step"

# 6. tmpfs size, no traces; ssh agent socket; network none; security insecure
python3 -c 'import socket,sys,time; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(); time.sleep(60)' "$WORK/agent.sock" &
agent=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do [[ -S $WORK/agent.sock ]] && break; sleep 0.2; done
build misc 'FROM busybox:local
RUN --mount=type=tmpfs,target=/scratch/tmp,size=2m df -k /scratch/tmp | tail -1 | awk "{print \$2}" >/tmpfs-size
RUN --mount=type=ssh test -S "$SSH_AUTH_SOCK" && echo "$SSH_AUTH_SOCK" >/ssh
RUN --mount=type=ssh,id=work,target=/agent.sock --network=host test -S /agent.sock && echo "$SSH_AUTH_SOCK" >/ssh-work
RUN --mount=from=busybox:local,source=/etc/passwd,target=/image-passwd head -1 /image-passwd >/from-image
RUN --network=none cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " " >/net
RUN --security=insecure grep CapEff /proc/self/status | cut -f2 >/caps' \
  --ssh default="$WORK/agent.sock" --ssh work="$WORK/agent.sock" --allow security.insecure
kill $agent
expect_eq "$(in_image misc 'cat /tmpfs-size; test -e /scratch || echo no-scratch')" "$(printf '2048\nno-scratch')" "tmpfs size, no mountpoint left"
expect_eq "$(in_image misc 'cat /ssh /ssh-work')" "$(printf '/run/buildkit/ssh_agent.0\n/agent.sock')" "ssh agent sockets and SSH_AUTH_SOCK"
expect_eq "$(in_image misc 'cat /from-image; test -e /agent.sock || echo no-sock')" "$(printf 'root:x:0:0:root:/root:/bin/sh\nno-sock')" "bind from an image; no socket mountpoint left"
expect_eq "$(in_image misc 'cat /net')" "lo" "RUN --network=none has only lo"
expect_eq "$(in_image misc 'cat /caps')" "$(grep CapBnd /proc/self/status | cut -f2)" "RUN --security=insecure has every capability cbuild has"
expect_eq "$(last_layer misc)" "caps" "the insecure RUN's layer has only its file"
build_fails insecure 'FROM busybox:local
RUN --security=insecure true'
expect_contains "$(cat insecure.log)" "Dockerfile:2: RUN --security=insecure needs the entitlement: build with \`cbuild build --allow security.insecure\`" "insecure without --allow"
build_fails nossh 'FROM busybox:local
RUN --mount=type=ssh,required=true true'
expect_contains "$(cat nossh.log)" "ssh agent 'default' is required but was not given" "required ssh agent"
echo "ok"
