#!/usr/bin/env bash
# start-s3.sh [PORT] — a real S3 endpoint for tests: Debian's Ceph radosgw (16, Pacific) in front of a
# throwaway one-node cluster (one mon, one in-memory OSD), all on 127.0.0.1. Installs the Debian
# packages with apt-get when missing (S3_NO_INSTALL=1 refuses instead; the first install takes ~1 min).
#
#   eval "$(scripts/start-s3.sh 7480)"   # prints S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET, S3_REGION
#   scripts/stop-s3.sh 7480
#
# radosgw listens on PORT (default 7480); the mon on PORT+1 (msgr v1) and PORT+2 (v2). State (ceph.conf,
# pids, logs, mon store) lives in ${S3_STATE_DIR:-/tmp/loupe-s3-PORT}; object data lives in the OSD's
# memory and is gone on stop. Starts are serialised by a lock file beside the state dir, and a healthy
# instance recorded there is reused, so test files starting it at once share one cluster (~4 s to start;
# a reuse is ~0.3 s). With S3_HOLDER set, the holder is recorded and stop-s3.sh only stops the cluster
# once every holder has released it (a holder named `PID:anything` whose PID is gone counts as released).
# Bucket S3_BUCKET (default loupe-test) is created; keys come from S3_ACCESS_KEY / S3_SECRET_KEY.
# Everything except the env lines goes to stderr.
set -euo pipefail

PORT=${1:-7480}
[[ "$PORT" =~ ^[0-9]+$ ]] && [ "$PORT" -ge 1024 ] && [ "$PORT" -le 65533 ] || { echo "usage: start-s3.sh [PORT 1024-65533]" >&2; exit 2; }
MON_V1=$((PORT + 1))
MON_V2=$((PORT + 2))
STATE=${S3_STATE_DIR:-/tmp/loupe-s3-$PORT}
ACCESS_KEY=${S3_ACCESS_KEY:-loupe-test-access}
SECRET_KEY=${S3_SECRET_KEY:-loupe-test-secret}
BUCKET=${S3_BUCKET:-loupe-test}
REGION=us-east-1
ENDPOINT="http://127.0.0.1:$PORT"
CONF="$STATE/ceph.conf"
PIDS="$STATE/pids"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { echo "[start-s3 $(date +%T)] $*" >&2; }
die() {
  log "ERROR: $*"
  for f in "$STATE"/log/*.log "$STATE"/log/*.out; do [ -f "$f" ] && { echo "--- tail $f" >&2; tail -n 15 "$f" >&2; }; done
  # A half-started cluster is stopped (our PIDs only) but its logs are kept for a look.
  [ "${STARTED:-0}" = 1 ] && S3_LOCK_HELD=1 S3_KEEP=1 S3_STATE_DIR="$STATE" "$HERE/stop-s3.sh" "$PORT" >&2 || true
  exit 1
}

# One start or stop at a time per state dir: two test files starting at once would otherwise both
# build a cluster on the same ports. fd 9 is closed for the daemons so they never hold the lock.
exec 9>"$STATE.lock"
flock -w "${S3_LOCK_TIMEOUT:-600}" 9 || die "timed out waiting for $STATE.lock"

# ---------- install what is missing (ceph-common and ceph-base come with these) ----------
missing=()
for pair in ceph-mon:ceph-mon ceph-osd:ceph-osd radosgw:radosgw radosgw-admin:radosgw; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  [ "${S3_NO_INSTALL:-0}" = 1 ] && die "missing packages: ${missing[*]} (S3_NO_INSTALL=1)"
  log "installing ${missing[*]} with apt-get (~1 min, once)"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"; } >&2 \
    || die "apt-get install ${missing[*]} failed"
fi
command -v curl >/dev/null 2>&1 || die "curl is needed (apt-get install curl)"

CEPH=(ceph -c "$CONF" --connect-timeout 5)
s3_up() { curl -fsS -m 3 -o /dev/null "$ENDPOINT/" 2>/dev/null; }
ours() { [ -n "${1:-}" ] && [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "$CONF"; }
all_alive() {
  [ -s "$PIDS" ] || return 1
  local name pid
  while read -r name pid; do ours "$pid" || return 1; done <"$PIDS"
}
# SigV4-signed request with curl (>= 7.75): METHOD PATH [DATA]; prints the HTTP status.
signed() {
  local data=${3:-}
  curl -s -o "$STATE/log/curl.out" -w '%{http_code}' -m 30 -X "$1" --data-binary "$data" \
    --aws-sigv4 "aws:amz:$REGION:s3" --user "$ACCESS_KEY:$SECRET_KEY" \
    -H "x-amz-content-sha256: $(printf '%s' "$data" | sha256sum | cut -d' ' -f1)" "$ENDPOINT$2" || true
}

ensure_user_and_bucket() {
  local admin=(radosgw-admin -c "$CONF" -n client.rgw.a)
  if ! "${admin[@]}" user info --uid=loupe >/dev/null 2>&1; then
    "${admin[@]}" user create --uid=loupe --display-name=Loupe --max-buckets=100000 \
      --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >/dev/null 2>"$STATE/log/admin.err" \
      || die "radosgw-admin user create failed: $(cat "$STATE/log/admin.err")"
  elif ! "${admin[@]}" user info --uid=loupe 2>/dev/null | grep -qF "\"access_key\": \"$ACCESS_KEY\""; then
    "${admin[@]}" key create --uid=loupe --key-type=s3 --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" \
      >/dev/null 2>&1 || die "radosgw-admin key create failed"
  fi
  local code
  for _ in $(seq 1 30); do
    code=$(signed PUT "/$BUCKET")
    case "$code" in
      200 | 409) break ;; # created, or already ours
      *) sleep 0.5 ;;     # the new user takes a moment to become visible to radosgw
    esac
  done
  [ "$code" = 200 ] || [ "$code" = 409 ] || die "creating bucket $BUCKET: HTTP $code $(cat "$STATE/log/curl.out")"
  # The first write creates the data pool (~1.5 s): pay it here rather than in the first test.
  [ "$(signed PUT "/$BUCKET/.warm-up" warm)" = 200 ] || die "warm-up PUT failed: $(cat "$STATE/log/curl.out")"
  signed DELETE "/$BUCKET/.warm-up" >/dev/null
}

hold() {
  [ -n "${S3_HOLDER:-}" ] && echo "$S3_HOLDER" >>"$STATE/holders"
  echo "S3_ENDPOINT=$ENDPOINT"
  echo "S3_ACCESS_KEY=$ACCESS_KEY"
  echo "S3_SECRET_KEY=$SECRET_KEY"
  echo "S3_BUCKET=$BUCKET"
  echo "S3_REGION=$REGION"
}

# ---------- reuse a healthy instance ----------
if all_alive && s3_up; then
  log "reusing radosgw on $ENDPOINT ($STATE)"
  ensure_user_and_bucket
  hold
  exit 0
fi

# ---------- or clear what a dead one left (our recorded PIDs only) and start afresh ----------
if [ -e "$STATE" ]; then
  log "stale state in $STATE: stopping its recorded daemons"
  S3_LOCK_HELD=1 S3_STATE_DIR="$STATE" "$HERE/stop-s3.sh" "$PORT" >&2 || true
  rm -rf "$STATE"
fi
for p in "$PORT" "$MON_V1" "$MON_V2"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then die "port $p on 127.0.0.1 is already in use"; fi
done

t0=$(date +%s.%N)
mkdir -p "$STATE"/{run,log,mon,osd,rgw,crash}
: >"$PIDS"
STARTED=1
fsid=$(cat /proc/sys/kernel/random/uuid)

# cephx off inside the cluster (radosgw still checks SigV4 signatures); one replica, few PGs; RGW's
# garbage collector runs often so deleted multipart data leaves the in-memory OSD during a test run.
cat >"$CONF" <<EOF
[global]
fsid = $fsid
mon host = [v2:127.0.0.1:$MON_V2,v1:127.0.0.1:$MON_V1]
auth cluster required = none
auth service required = none
auth client required = none
auth supported = none
# Pacific's radosgw asks for 'secure' messenger mode by default, which needs cephx.
ms mon client mode = crc
ms client mode = crc
ms service mode = crc
ms mon service mode = crc
ms mon cluster mode = crc
ms cluster mode = crc
ms bind ipv6 = false
run dir = $STATE/run
admin socket = $STATE/run/\$name.asok
log file = $STATE/log/\$name.log
pid file = $STATE/run/\$name.pid
keyring = $STATE/keyring
crash dir = $STATE/crash
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
mon data avail warn = 2
mon data avail crit = 1
mon osd full ratio = .99
mon osd nearfull ratio = .98
mon osd backfillfull ratio = .985
osd failsafe full ratio = .995

[mon]
# rgw creates ~6 pools on its first start: propose map changes faster than the 1 s default.
paxos propose interval = 0.1
paxos min wait = 0.01
mon data = $STATE/mon/\$cluster-\$id
mon cluster log file = $STATE/log/cluster.log

[osd]
osd data = $STATE/osd/\$cluster-\$id
osd objectstore = memstore
memstore device bytes = ${S3_MEMSTORE_BYTES:-2147483648}
public addr = 127.0.0.1
cluster addr = 127.0.0.1
osd class load list = *
osd class default list = *

[client]
log file = $STATE/log/\$name.log
admin socket = $STATE/run/\$name.\$pid.asok

[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$PORT tcp_nodelay=1
rgw data = $STATE/rgw
rgw thread pool size = 64
rgw gc obj min wait = 10
rgw gc processor period = 10
EOF

start_daemon() { # name cmd...
  local name=$1
  shift
  setsid "$@" -f </dev/null >>"$STATE/log/$name.out" 2>&1 9>&- &
  echo "$name $!" >>"$PIDS"
}
wait_for() { # what cmd...
  local what=$1
  shift
  local deadline=$(($(date +%s) + ${S3_START_TIMEOUT:-120}))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || die "timed out waiting for $what"
    all_alive || die "a daemon exited while waiting for $what"
    sleep 0.2
  done
}

log "starting mon on 127.0.0.1:$MON_V1"
ceph-authtool --create-keyring "$STATE/mon.keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$MON_V2,v1:127.0.0.1:$MON_V1]" "$STATE/monmap" >/dev/null
ceph-mon -c "$CONF" --mkfs -i a --monmap "$STATE/monmap" --keyring "$STATE/mon.keyring" \
  >"$STATE/log/mon-mkfs.out" 2>&1 || die "ceph-mon --mkfs failed"
start_daemon mon.a ceph-mon -c "$CONF" -i a
wait_for "the mon" "${CEPH[@]}" mon stat

osd_uuid=$(cat /proc/sys/kernel/random/uuid)
osd_id=$("${CEPH[@]}" osd new "$osd_uuid") || die "ceph osd new failed"
mkdir -p "$STATE/osd/ceph-$osd_id"
ceph-osd -c "$CONF" -i "$osd_id" --mkfs --osd-uuid "$osd_uuid" >"$STATE/log/osd-mkfs.out" 2>&1 \
  || die "ceph-osd --mkfs failed"
start_daemon "osd.$osd_id" ceph-osd -c "$CONF" -i "$osd_id"
osd_up() { "${CEPH[@]}" osd dump 2>/dev/null | grep -q "^osd.$osd_id up"; }
wait_for "osd.$osd_id" osd_up

log "starting radosgw on $ENDPOINT"
start_daemon rgw.a radosgw -c "$CONF" -n client.rgw.a
wait_for "radosgw" s3_up
ensure_user_and_bucket
log "ready in $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N)-$t0}")s: $(tr '\n' ' ' <"$PIDS")"
hold
