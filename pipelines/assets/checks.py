"""Blocking checks that gate publication: validity, SHACL and cross-period plausibility.

`package_valid` and `shacl_conformance` are the verdicts of the gates
`write_package` already applies (Frictionless validation of the package before
it replaces the published one; the SHACL gate of the graph stage): the
`package_and_graph` step reports them as it writes, once, on the asset each
verdict is about, instead of validating again afterwards. To re-evaluate them,
materialise the package again. `plausible_vs_previous` compares two partitions,
so it is its own check and can be re-run alone from the UI. All are blocking:
an ERROR result stops every downstream asset in the same run, so the portal
publication never starts. (The reconciliation check lives with the parser, in
`report.py`.)
"""

import warnings
from pathlib import Path
from typing import Any

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    MetadataValue,
    asset_check,
)

from pipelines.assets.metadata import error_metadata, markdown_table
from pipelines.assets.partitions import PARTITIONS, parse_key, previous_key, scan_reports
from pipelines.assets.resources import Folders
from pipelines.errors import InvalidPackage, PipelineError, ReportError, ShaclError
from pipelines.report.text import load_report
from pipelines.tables.model import ParsedReport
from pipelines.tables.parse import parse_report
from pipelines.tables.plausibility import JUMP_FACTOR, compare_periods, jumps

# Partitioned checks are "preview" in Dagster 1.13, but without `partitions_def` a check on a
# partitioned asset loads every partition (field notes); the warning would only repeat that on every load.
warnings.filterwarnings("ignore", message=".*partitions_def on an AssetCheckSpec.*")

PACKAGE_VALID = AssetCheckSpec(
    "package_valid",
    asset="datapackage",
    blocking=True,
    description="El paquete es válido según Frictionless (tipos, restricciones, claves primarias y foráneas, "
    "huellas de los archivos): la validación que hace la escritura antes de reemplazar el paquete "
    "publicado.",
)
SHACL_CONFORMANCE = AssetCheckSpec(
    "shacl_conformance",
    asset="graph",
    blocking=True,
    description="El grafo cumple las formas SHACL de vocab/formas.ttl (con el resto del vocabulario): la "
    "compuerta que aplica la etapa del grafo antes de escribirlo.",
)


def refused_check(error: PipelineError) -> AssetCheckResult | None:
    """The failed check a refusal of `write_package` is the verdict of, if it came from one of its two gates."""
    if isinstance(error, ShaclError):
        spec, what = SHACL_CONFORMANCE, "El grafo no cumple las formas SHACL"
    elif isinstance(error, InvalidPackage):
        spec, what = PACKAGE_VALID, "El paquete no es válido"
    else:
        return None
    return AssetCheckResult(
        asset_key=spec.asset_key,
        check_name=spec.name,
        passed=False,
        severity=AssetCheckSeverity.ERROR,
        metadata=error_metadata(error),
        description=f"{what}; no se reemplazó el paquete publicado: {error}",
    )


def package_passed(folder: Path) -> AssetCheckResult:
    return AssetCheckResult(
        asset_key=PACKAGE_VALID.asset_key,
        check_name=PACKAGE_VALID.name,
        passed=True,
        metadata={
            "carpeta": MetadataValue.path(str(folder)),
            "validado": "Frictionless, antes de reemplazar el paquete publicado",
        },
    )


def shacl_passed(graph: dict[str, Any]) -> AssetCheckResult:
    return AssetCheckResult(
        asset_key=SHACL_CONFORMANCE.asset_key,
        check_name=SHACL_CONFORMANCE.name,
        passed=True,
        metadata={
            "tripletas": graph["tripletas"],
            "infracciones": 0,
            "validado": "compuerta SHACL de la etapa del grafo, al escribirlo",
        },
    )


@asset_check(
    asset="parsed_tables",
    name="plausible_vs_previous",
    blocking=True,
    partitions_def=PARTITIONS,
    description=f"Cada total de columna comparado con el del cuatrimestre anterior de la misma serie: un "
    f"salto de {JUMP_FACTOR}× o más (arriba o abajo) detiene la publicación hasta revisarlo.",
)
def plausible_vs_previous(
    context: AssetCheckExecutionContext, parsed_tables: ParsedReport, folders: Folders
) -> AssetCheckResult:
    """Compare with the same series' previous period, parsed by the same parser, if its report is in the folder."""
    key = context.partition_key
    before_key = previous_key(key)
    found, _ = scan_reports(folders.reports, folders.series)
    if before_key not in found:
        return AssetCheckResult(
            passed=True, metadata={"período anterior": f"{before_key} (sin informe: nada que comparar)"}
        )
    try:
        previous = parse_report(load_report(found[before_key]), specs=folders.series)
    except ReportError as error:
        return AssetCheckResult(
            passed=False,
            severity=AssetCheckSeverity.WARN,
            metadata={"período anterior": before_key, **error_metadata(error)},
            description=f"El informe de {before_key} no se pudo leer; no hay con qué comparar.",
        )
    changes = compare_periods(parsed_tables, previous)
    flagged = jumps(changes)
    before, now = parse_key(before_key).period.key, parse_key(key).period.key
    table = markdown_table(
        ["cuadro", "columna", before, now, "factor"],
        [[c.recurso, c.campo, c.anterior, c.actual, f"{c.factor}×"] for c in flagged or changes],
    )
    metadata = {
        "período anterior": before_key,
        "totales comparados": len(changes),
        "saltos": len(flagged),
        "saltos de 10× o más" if flagged else "totales comparados (detalle)": MetadataValue.md(table),
    }
    if flagged:
        return AssetCheckResult(
            passed=False,
            severity=AssetCheckSeverity.ERROR,
            metadata=metadata,
            description=f"{len(flagged)} totales cambian {JUMP_FACTOR}× o más respecto de "
            f"{before_key}: revise las cifras antes de publicar.",
        )
    return AssetCheckResult(passed=True, metadata=metadata)
