"""Blocking checks that gate publication: validity, SHACL and cross-period plausibility.

Each is its own check (not part of the asset's step) so an operator can re-run
it alone from the UI. All are blocking: an ERROR result stops every downstream
asset in the same run, so the portal publication never starts.
(The reconciliation check lives with the parser, in `report.py`.)
"""

import warnings
from pathlib import Path

from dagster import AssetCheckExecutionContext, AssetCheckResult, AssetCheckSeverity, MetadataValue, asset_check
from rdflib import Graph

from pipelines.assets.graph import count_triples
from pipelines.assets.metadata import error_metadata, markdown_table
from pipelines.assets.partitions import PERIODS, previous_key, scan_reports
from pipelines.tables.plausibility import JUMP_FACTOR, compare_periods, jumps
from pipelines.assets.resources import Folders
from pipelines.errors import ReportError
from pipelines.graph.shacl import violations
from pipelines.package.validate import validate_package
from pipelines.report.text import load_report
from pipelines.tables.model import ParsedReport
from pipelines.tables.parse import parse_report

# Partitioned checks are "preview" in Dagster 1.13, but without `partitions_def` a check on a
# partitioned asset loads every partition (field notes); the warning would only repeat that on every load.
warnings.filterwarnings("ignore", message=".*partitions_def on an AssetCheckSpec.*")


@asset_check(asset="datapackage", name="package_valid", blocking=True, partitions_def=PERIODS,
             description="El paquete en disco es válido según Frictionless (tipos, restricciones, claves "
                         "primarias y foráneas, huellas de los archivos).")
def package_valid(datapackage: Path) -> AssetCheckResult:
    """Validate the folder as it is now, with the package stage's own validator."""
    try:
        validate_package(datapackage, datapackage.name)
    except ReportError as error:
        return AssetCheckResult(passed=False, severity=AssetCheckSeverity.ERROR, metadata=error_metadata(error),
                                description=str(error))
    return AssetCheckResult(passed=True, metadata={"carpeta": MetadataValue.path(str(datapackage))})


@asset_check(asset="graph", name="shacl_conformance", blocking=True, partitions_def=PERIODS,
             description="El grafo cumple las formas SHACL de vocab/formas.ttl (junto con el resto del "
                         "vocabulario).")
def shacl_conformance(graph: Path) -> AssetCheckResult:
    """Re-validate the graph file on disk with the gate `rendicion build` applies (vocab may have changed)."""
    found = violations(list(Graph().parse(graph, format="turtle")))
    metadata = {"tripletas": count_triples(graph), "infracciones": len(found)}
    if not found:
        return AssetCheckResult(passed=True, metadata=metadata)
    listed = "\n".join(f"- {line}" for line in found[:50])
    return AssetCheckResult(passed=False, severity=AssetCheckSeverity.ERROR,
                            metadata={**metadata, "infracciones (detalle)": MetadataValue.md(listed)},
                            description=f"El grafo no cumple las formas SHACL: {len(found)} infracciones.")


@asset_check(asset="parsed_tables", name="plausible_vs_previous", blocking=True, partitions_def=PERIODS,
             description=f"Cada total de columna comparado con el del cuatrimestre anterior: un salto de "
                         f"{JUMP_FACTOR}× o más (arriba o abajo) detiene la publicación hasta revisarlo.")
def plausible_vs_previous(context: AssetCheckExecutionContext, parsed_tables: ParsedReport,
                          folders: Folders) -> AssetCheckResult:
    """Compare with the previous period's report, parsed by the same parser, if it is in the folder."""
    before_key = previous_key(context.partition_key)
    found, _ = scan_reports(folders.reports)
    if before_key not in found:
        return AssetCheckResult(passed=True, metadata={"período anterior": f"{before_key} (sin informe: nada que "
                                                                           "comparar)"})
    try:
        previous = parse_report(load_report(found[before_key]))
    except ReportError as error:
        return AssetCheckResult(passed=False, severity=AssetCheckSeverity.WARN,
                                metadata={"período anterior": before_key, **error_metadata(error)},
                                description=f"El informe de {before_key} no se pudo leer; no hay con qué comparar.")
    changes = compare_periods(parsed_tables, previous)
    flagged = jumps(changes)
    table = markdown_table(["cuadro", "columna", before_key, context.partition_key, "factor"],
                           [[c.recurso, c.campo, c.anterior, c.actual, f"{c.factor}×"] for c in flagged or changes])
    metadata = {"período anterior": before_key, "totales comparados": len(changes), "saltos": len(flagged),
                "saltos de 10× o más" if flagged else "totales comparados (detalle)": MetadataValue.md(table)}
    if flagged:
        return AssetCheckResult(passed=False, severity=AssetCheckSeverity.ERROR, metadata=metadata,
                                description=f"{len(flagged)} totales cambian {JUMP_FACTOR}× o más respecto de "
                                            f"{before_key}: revise las cifras antes de publicar.")
    return AssetCheckResult(passed=True, metadata=metadata)
