"""Helpers `scripts/run.sh` calls around `dagster asset materialize`.

`register` adds every report's partition (series and period, `sosep-2021-C1`;
the sensor does the same when the daemon runs; `make run` has no daemon) and
prints one report's key. Settings come from `pipelines.settings`, like the
Dagster resources.
`summary` prints where to look after a run and `failures` why it failed, from
what the run recorded in the Dagster instance: what the UI shows.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from dagster import AssetKey, AssetRecordsFilter, DagsterInstance

from pipelines import settings
from pipelines.assets.partitions import PARTITIONS, identify, scan_reports
from pipelines.errors import ReportError


def register(report: Path) -> int:
    instance = DagsterInstance.get()
    series = Path(settings.SERIES.value())
    found, errors = scan_reports(Path(settings.REPORTS.value()), series)
    for error in errors:
        print(f"aviso: informe omitido: {error}", file=sys.stderr)
    missing = sorted(set(found) - set(instance.get_dynamic_partitions(PARTITIONS.name)))
    if missing:
        instance.add_dynamic_partitions(PARTITIONS.name, missing)
    try:
        key = identify(report, series)
    except ReportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(key)
    return 0


def latest_metadata(instance: DagsterInstance, asset: str, key: str) -> dict[str, object]:
    records = instance.fetch_materializations(
        AssetRecordsFilter(asset_key=AssetKey(asset), asset_partitions=[key]), limit=1
    ).records
    if not records or records[0].asset_materialization is None:
        return {}
    return {k: getattr(v, "value", v) for k, v in records[0].asset_materialization.metadata.items()}


def summary(key: str) -> int:
    instance = DagsterInstance.get()
    package = latest_metadata(instance, "datapackage", key)
    graph = latest_metadata(instance, "graph", key)
    store = latest_metadata(instance, "sparql_store", key)
    portal = latest_metadata(instance, "portal_publication", key)
    lines = [
        f"Informe {key} (serie y período) publicado a través de Dagster.",
        f"  Paquete de datos:  {package.get('carpeta', '(no materializado)')}",
        f"  Grafo RDF:         {graph.get('archivo', '(no materializado)')} ({graph.get('tripletas', '?')} tripletas)",
        f"  Almacén SPARQL:    {store.get('almacén', '(no materializado)')} (grafo con nombre "
        f"<{store.get('grafo con nombre', '?')}>, {store.get('tripletas', '?')} tripletas)",
        f"  Portal:            {portal.get('página en el portal', '(no publicado)')}",
        "  Interfaz Dagster:  make ui   (http://127.0.0.1:3000, con esta ejecución en «Runs»)",
        f"  Endpoint SPARQL:   .venv/bin/rendicion serve   ({settings.SPARQL_ENDPOINT.value()})",
    ]
    print("\n".join(lines))
    return 0


def failures() -> int:
    """Why the last run failed: refused steps and failed checks, with their own messages."""
    instance = DagsterInstance.get()
    runs = instance.get_runs(limit=1)
    if not runs:
        print("No hay ejecuciones registradas.")
        return 0
    for entry in instance.all_logs(runs[0].run_id):
        event = entry.dagster_event
        if event is None:
            continue
        if event.event_type_value == "ASSET_CHECK_EVALUATION" and not event.event_specific_data.passed:
            check = event.event_specific_data
            severity = "ERROR (bloquea)" if check.severity.value == "ERROR" else "advertencia"
            detail = check.description or ""
            error = check.metadata.get("error")
            if error is not None and str(error.value) not in detail:
                detail = f"{detail} {error.value}".strip()
            print(f"  comprobación {check.asset_key.to_user_string()}.{check.check_name} [{severity}]: {detail}")
        elif event.event_type_value == "STEP_FAILURE":
            data = event.step_failure_data
            user = data.user_failure_data.description if data.user_failure_data else None
            message = user or (" ".join(data.error.message.strip().splitlines()[:2]) if data.error else "")
            print(f"  paso {event.step_key} falló: {message}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.assets.operator", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser(
        "register", help="registra las particiones (serie y período) de los informes e imprime la de un informe"
    ).add_argument("report", type=Path)
    sub.add_parser("summary", help="dónde mirar tras una ejecución").add_argument("key")
    sub.add_parser("failures", help="por qué falló la última ejecución")
    args = parser.parse_args(argv)
    if args.command == "register":
        return register(args.report)
    return summary(args.key) if args.command == "summary" else failures()


if __name__ == "__main__":
    sys.exit(main())
