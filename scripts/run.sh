#!/usr/bin/env bash
# make run: publish the bundled report through Dagster.
#
# Starts the local portal, registers every report's partition (series and period,
# e.g. sosep-2021-C1), then materialises every asset (and runs every check) of the
# given report's partition with `dagster asset materialize`, in the project's Dagster
# instance (.dagster/), so the run appears in `make ui` afterwards. Exits non-zero if
# any step or blocking check fails. Usage: scripts/run.sh [REPORT.txt|REPORT.pdf]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
REPORT=${1:-reports/sosep-2021-cuatrimestre-1.txt}

export DAGSTER_HOME=${RENDICION_DAGSTER_HOME:-$ROOT/.dagster}
mkdir -p "$DAGSTER_HOME"
ln -sfn "$ROOT/${RENDICION_DAGSTER_CONFIG:-dagster.yaml}" "$DAGSTER_HOME/dagster.yaml"

echo "run: portal local" >&2
PORTAL_URL=$(bash portal/start.sh)  # RENDICION_PORTAL_* choose the local portal (portal/README.md)
CKAN_URL=${CKAN_URL:-$PORTAL_URL}
export CKAN_URL
PORTAL_TOKEN="${RENDICION_PORTAL_STATE:-.portal}/token"
if [ -z "${CKAN_API_TOKEN:-}" ] && [ "${CKAN_URL%/}" = "$PORTAL_URL" ] && [ -s "$PORTAL_TOKEN" ]; then
  CKAN_API_TOKEN=$(cat "$PORTAL_TOKEN")  # the local portal's token, only for the local portal
  export CKAN_API_TOKEN
fi

KEY=$(.venv/bin/python -m pipelines.assets.operator register "$REPORT")
echo "run: materializando la partición $KEY (informe $REPORT) con Dagster" >&2
LOG="$DAGSTER_HOME/ultima-ejecucion.log"
START=$(date +%s.%N)
if ! .venv/bin/dagster asset materialize -m pipelines.definitions --partition "$KEY" --select '*' \
    --config-json '{"loggers": {"console": {"config": {"log_level": "INFO"}}}}' >"$LOG" 2>&1; then
  echo "run: la ejecución de $KEY falló; nada se publicó después del primer fallo:" >&2
  .venv/bin/python -m pipelines.assets.operator failures >&2 || tail -n 30 "$LOG" >&2
  echo "run: registro completo en $LOG; detalles en la interfaz: make ui" >&2
  exit 1
fi
echo "run: listo en $(awk "BEGIN {printf \"%.1f\", $(date +%s.%N) - $START}") s (registro: $LOG)" >&2
.venv/bin/python -m pipelines.assets.operator summary "$KEY"
