#!/usr/bin/env bash
# Stop the local CKAN portal started by portal/start.sh. No error if it is not running.
# RENDICION_PORTAL_STATE chooses the portal (its state folder), as for start.sh; default .portal.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${RENDICION_PORTAL_STATE:-.portal}
case $STATE in /*) ;; *) STATE="$ROOT/$STATE" ;; esac
PIDFILE="$STATE/ckan.pid"

[ -s "$PIDFILE" ] || { echo "portal: not running"; exit 0; }
pid=$(cat "$PIDFILE")
if ! grep -qa ckan "/proc/$pid/cmdline" 2>/dev/null; then  # gone, or the PID was reused
  rm -f "$PIDFILE"; echo "portal: not running"; exit 0
fi
# start.sh runs CKAN as the leader of its own session: signal the whole group.
kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
for _ in $(seq 50); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then
  echo "portal: CKAN (pid $pid) ignored SIGTERM for 5 s, sending SIGKILL" >&2
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
fi
rm -f "$PIDFILE"
echo "portal: stopped"
