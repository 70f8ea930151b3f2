#!/usr/bin/env bash
# stop-prometheus.sh [PORT] — stops the instance start-prometheus.sh started on PORT (default 9090).
# Kills only the recorded PID, and only if its command line names our state dir
# (${PROM_STATE_DIR:-/tmp/prometheus-PORT}). Removes the state dir unless PROM_KEEP=1.
set -uo pipefail
PORT=${1:-9090}
STATE=${PROM_STATE_DIR:-/tmp/prometheus-$PORT}
ours() { [ -n "${1:-}" ] && [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "--storage.tsdb.path=$STATE/data"; }
pid=$(cat "$STATE/pid" 2>/dev/null || true)
if ours "$pid"; then
  echo "[stop-prometheus] TERM $pid" >&2
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 50); do ours "$pid" || break; sleep 0.2; done
  if ours "$pid"; then echo "[stop-prometheus] KILL $pid" >&2; kill -KILL "$pid" 2>/dev/null; fi
fi
[ "${PROM_KEEP:-0}" = 1 ] || rm -rf "$STATE"
exit 0
