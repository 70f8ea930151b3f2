#!/usr/bin/env bash
# stop-s3.sh [PORT] — stops the radosgw cluster start-s3.sh started on PORT (default 7480).
# With S3_HOLDER set, releases that holder and stops only when no live holder is left; without it,
# stops regardless. Kills only the PIDs start-s3.sh recorded, and only while their command line
# still names our ceph.conf (PIDs get reused). Removes ${S3_STATE_DIR:-/tmp/loupe-s3-PORT} unless S3_KEEP=1.
set -uo pipefail
PORT=${1:-7480}
STATE=${S3_STATE_DIR:-/tmp/loupe-s3-$PORT}
CONF="$STATE/ceph.conf"
log() { echo "[stop-s3] $*" >&2; }
ours() { [ -n "${1:-}" ] && [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "$CONF"; }

# start-s3.sh calls this with its lock already held (S3_LOCK_HELD=1).
if [ "${S3_LOCK_HELD:-0}" != 1 ]; then
  exec 9>"$STATE.lock"
  flock -w 600 9 || { log "timed out waiting for $STATE.lock"; exit 1; }
fi

if [ -n "${S3_HOLDER:-}" ] && [ -f "$STATE/holders" ]; then
  # Drop this holder and any whose process is gone (a test run killed before it could release).
  left=()
  while read -r holder; do
    [ -z "$holder" ] || [ "$holder" = "$S3_HOLDER" ] && continue
    pid=${holder%%:*}
    if [[ "$pid" =~ ^[0-9]+$ ]] && [ "$pid" != "$holder" ] && ! kill -0 "$pid" 2>/dev/null; then continue; fi
    left+=("$holder")
  done <"$STATE/holders"
  if [ ${#left[@]} -gt 0 ]; then
    printf '%s\n' "${left[@]}" >"$STATE/holders"
    log "still held by ${#left[@]} other holder(s); leaving it running"
    exit 0
  fi
fi

if [ -s "$STATE/pids" ]; then
  mapfile -t lines < <(tac "$STATE/pids") # reverse start order: rgw, osd, mon
  for l in "${lines[@]}"; do
    if ours "${l##* }"; then
      log "TERM ${l% *} (${l##* })"
      kill -TERM "${l##* }" 2>/dev/null
    fi
  done
  # The OSD keeps its data in memory, so a clean exit saves nothing: 3 s, then KILL.
  for _ in $(seq 1 15); do
    alive=0
    for l in "${lines[@]}"; do ours "${l##* }" && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.2
  done
  for l in "${lines[@]}"; do
    if ours "${l##* }"; then
      log "KILL ${l% *} (${l##* })"
      kill -KILL "${l##* }" 2>/dev/null
    fi
  done
fi
if [ "${S3_KEEP:-0}" != 1 ]; then rm -rf "$STATE"; fi
exit 0
