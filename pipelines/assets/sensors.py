"""Watch the reports folder: a new or changed report file becomes its partition's run.

Each `.txt` or `.pdf` file is identified by its own text: the series its
`serie.toml` detection rule matches and the period it names (`sosep-2021-C1`).
The cursor remembers each file's SHA-256, so a file is acted on once per
content. On the first evaluation (empty cursor) a report whose partition was
already materialised from the same bytes (e.g. by `make run`) is not run again.
"""

import json

from dagster import (
    AssetKey,
    AssetRecordsFilter,
    DagsterInstance,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from pipelines.assets.jobs import publish_period
from pipelines.assets.partitions import PARTITIONS, scan_reports
from pipelines.assets.resources import Folders
from pipelines.publish.local import sha256_file


def last_built_sha(instance: DagsterInstance, key: str) -> str | None:
    """The SHA-256 of the report the partition was last materialised from, if any."""
    records = instance.fetch_materializations(
        AssetRecordsFilter(asset_key=AssetKey("report_text"), asset_partitions=[key]), limit=1
    ).records
    if not records:
        return None
    materialization = records[0].asset_materialization
    entry = materialization.metadata.get("sha256") if materialization else None
    return entry.value if entry is not None else None


@sensor(
    job=publish_period,
    default_status=DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description="Vigila la carpeta de informes (.txt y .pdf): cada informe nuevo o modificado agrega su serie y "
    "período como partición y pide su ejecución completa (hasta el portal).",
)
def new_reports(context: SensorEvaluationContext, folders: Folders) -> SensorResult | SkipReason:
    """Add the partition of each new report and request its run."""
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    found, errors = scan_reports(folders.reports, folders.series)
    for error in errors:
        context.log.warning(f"Informe omitido: {error}")
    known = set(context.instance.get_dynamic_partitions(PARTITIONS.name))
    new_keys, requests, cursor = [], [], {}
    for key, path in sorted(found.items()):
        sha = sha256_file(path)
        cursor[path.name] = sha
        if seen.get(path.name) == sha:
            continue
        if key not in known:
            new_keys.append(key)
        elif not context.cursor and last_built_sha(context.instance, key) == sha:
            continue
        requests.append(
            RunRequest(partition_key=key, run_key=f"{key}:{sha[:16]}", tags={"rendicion/informe": path.name})
        )
    if not requests and not new_keys and cursor == seen:
        return SkipReason(f"Sin informes nuevos en {folders.reports}")
    return SensorResult(
        run_requests=requests,
        cursor=json.dumps(cursor, sort_keys=True),
        dynamic_partitions_requests=[PARTITIONS.build_add_request(new_keys)] if new_keys else None,
    )
