#!/usr/bin/env bash
# make ui: the Dagster UI (webserver and daemon) on 127.0.0.1, in the project's instance.
#
# Ctrl-C stops everything: `dagster dev` replaces this shell (exec) and runs with
# SIGINT at its default (env --default-signal=INT), so it also stops when started
# from a script in the background, or with `kill -TERM <pid>`.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
HOST=127.0.0.1
PORT=${DAGSTER_PORT:-3000}

export DAGSTER_HOME=${RENDICION_DAGSTER_HOME:-$ROOT/.dagster}
mkdir -p "$DAGSTER_HOME"
ln -sfn "$ROOT/${RENDICION_DAGSTER_CONFIG:-dagster.yaml}" "$DAGSTER_HOME/dagster.yaml"
if [ -z "${CKAN_API_TOKEN:-}" ] && [ -s .portal/token ]; then
  CKAN_API_TOKEN=$(cat .portal/token)
  export CKAN_API_TOKEN
fi

echo "ui: Dagster en http://$HOST:$PORT (Ctrl-C para detener). Para publicar, el portal debe estar en marcha: make portal" >&2
exec env --default-signal=INT .venv/bin/dagster dev -h "$HOST" -p "$PORT" -w workspace.yaml
