#!/usr/bin/env bash
# start-prometheus.sh CONFIG [PORT] — Debian's Prometheus (2.42 on bookworm) on 127.0.0.1:PORT for
# tests, with exemplar storage, the remote-write receiver and /-/reload enabled. Installs the
# `prometheus` package with apt-get when it is missing (PROM_NO_INSTALL=1 refuses instead).
#
#   eval "$(scripts/start-prometheus.sh test/prometheus.yml 9090)"   # prints PROMETHEUS_URL=...
#   scripts/stop-prometheus.sh 9090
#
# State (pid, data, log) lives in ${PROM_STATE_DIR:-/tmp/prometheus-PORT}. A healthy instance this
# script started with the same config and state dir is reused (config re-read via /-/reload);
# otherwise the recorded PID is stopped and a fresh one (empty TSDB) started. Waits for the first
# scrape of every target (~5 s) unless PROM_WAIT_FIRST_SCRAPE=0. Extra flags: PROM_EXTRA_ARGS.
# Everything except the PROMETHEUS_URL line goes to stderr.
#
# A scraped target must answer OpenMetrics (Prometheus 2.42 always asks for it) and end with
# "# EOF"; exemplars in a text/plain 0.0.4 answer are a parse error that marks the target down.
set -euo pipefail

CONFIG=${1:?usage: start-prometheus.sh CONFIG [PORT]}
PORT=${2:-9090}
CONFIG=$(cd "$(dirname "$CONFIG")" && pwd)/$(basename "$CONFIG")
STATE=${PROM_STATE_DIR:-/tmp/prometheus-$PORT}
URL="http://127.0.0.1:$PORT"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { echo "[start-prometheus $(date +%T)] $*" >&2; }
die() { log "ERROR: $*"; [ -f "$STATE/prometheus.log" ] && tail -n 20 "$STATE/prometheus.log" >&2; exit 1; }

[ -r "$CONFIG" ] || die "config $CONFIG not readable"

if ! command -v prometheus >/dev/null 2>&1; then
  [ "${PROM_NO_INSTALL:-0}" = 1 ] && die "prometheus not installed (PROM_NO_INSTALL=1)"
  log "installing prometheus (apt-get, ~15 s)"
  export DEBIAN_FRONTEND=noninteractive
  # --no-install-recommends skips node-exporter and friends. Where no policy-rc.d denies it, the
  # package's init script may start a system instance on :9090 — use another PORT then.
  apt-get install -y --no-install-recommends prometheus >&2 \
    || { apt-get update >&2 && apt-get install -y --no-install-recommends prometheus >&2; }
fi

promtool check config "$CONFIG" >&2 || die "promtool check config failed for $CONFIG"

ours() { # pid alive and started by this script with this state dir
  [ -n "${1:-}" ] && [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "--storage.tsdb.path=$STATE/data"
}

pid=$(cat "$STATE/pid" 2>/dev/null || true)
if ours "$pid" && curl -fsS -m 2 -o /dev/null "$URL/-/ready" && [ "$(cat "$STATE/config" 2>/dev/null)" = "$CONFIG" ]; then
  log "reusing prometheus pid $pid on $URL; reloading config"
  curl -fsS -m 10 -X POST "$URL/-/reload" >&2 || die "config reload failed"
  echo "PROMETHEUS_URL=$URL"
  exit 0
fi

if [ -d "$STATE" ]; then
  PROM_STATE_DIR="$STATE" "$HERE/stop-prometheus.sh" "$PORT" >&2 || true
fi
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then die "port $PORT on 127.0.0.1 is already in use"; fi

mkdir -p "$STATE/data"
echo "$CONFIG" >"$STATE/config"
t0=$(date +%s.%N)
# shellcheck disable=SC2086
setsid prometheus \
  --config.file="$CONFIG" \
  --web.listen-address="127.0.0.1:$PORT" \
  --storage.tsdb.path="$STATE/data" \
  --enable-feature=exemplar-storage \
  --web.enable-remote-write-receiver \
  --web.enable-lifecycle \
  ${PROM_EXTRA_ARGS:-} \
  </dev/null >"$STATE/prometheus.log" 2>&1 &
echo $! >"$STATE/pid"

deadline=$(( $(date +%s) + ${PROM_START_TIMEOUT:-60} ))
until curl -fsS -m 2 -o /dev/null "$URL/-/ready" 2>/dev/null; do
  ours "$(cat "$STATE/pid")" || die "prometheus exited during startup"
  [ "$(date +%s)" -lt "$deadline" ] || die "timed out waiting for $URL/-/ready"
  sleep 0.1
done
# Prometheus 2.42 runs its first scrape ~5 s after start; wait until no target is still "unknown".
if [ "${PROM_WAIT_FIRST_SCRAPE:-1}" = 1 ]; then
  until t=$(curl -fsS -m 2 "$URL/api/v1/targets?state=active" 2>/dev/null) && ! grep -q '"health":"unknown"' <<<"$t" \
        && { grep -q '"activeTargets":\[{' <<<"$t" || ! grep -q 'targets:' "$CONFIG"; }; do
    [ "$(date +%s)" -lt "$deadline" ] || die "timed out waiting for the first scrape"
    sleep 0.2
  done
fi
log "ready in $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N)-$t0}")s, pid $(cat "$STATE/pid"), $(prometheus --version 2>&1 | head -1)"
echo "PROMETHEUS_URL=$URL"
