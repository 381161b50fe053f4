"""The report text and its parsed tables, with the reconciliation check.

The reconciliation check is declared on the parsing asset itself (not as a
separate check) because a report whose blanks cannot be placed never yields
tables: the check must be able to fail, with the parser's message, from inside
the step that refused the report.
"""

from collections.abc import Iterator

from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetExecutionContext, Output, asset

from pipelines.assets.metadata import discrepancy_list, error_metadata, failure, parsed_metadata
from pipelines.assets.partitions import PARTITIONS, parse_key, report_for
from pipelines.assets.resources import Folders
from pipelines.errors import ReportError
from pipelines.report.period import detect_period
from pipelines.report.text import ReportText, load_report
from pipelines.tables.model import Discrepancy, ParsedReport
from pipelines.tables.parse import parse_report

GROUP = "rendicion"
RECONCILIATION = "reconciliation"


@asset(
    partitions_def=PARTITIONS,
    group_name=GROUP,
    kinds={"text"},
    description="Texto del informe cuatrimestral de una institución (serie) y un período (archivo .txt o .pdf "
    "en reports/), con su huella SHA-256.",
)
def report_text(context: AssetExecutionContext, folders: Folders) -> ReportText:
    """Load the partition's report file; the key is the series and period its own text names."""
    path = report_for(context.partition_key, folders.reports, folders.series)
    try:
        report = load_report(path)
        period = detect_period(report)
    except ReportError as error:
        raise failure(error) from None
    context.add_output_metadata(
        {
            "archivo": str(path),
            "sha256": report.sha256,
            "líneas": len(report.lines),
            "serie": parse_key(context.partition_key).series,
            "período": period.label,
        }
    )
    return report


@asset(
    partitions_def=PARTITIONS,
    group_name=GROUP,
    kinds={"python"},
    description="Cuadros del informe leídos y conciliados: celdas vacías ubicadas, totales, texto y cuadros "
    "cruzados comprobados.",
    check_specs=[
        AssetCheckSpec(
            RECONCILIATION,
            asset="parsed_tables",
            blocking=True,
            description="Conciliación: las discrepancias del propio informe son una advertencia (se publican tal "
            "cual y se listan); celdas vacías imposibles de ubicar o filas cuya aritmética no cuadra "
            "son un error que detiene la publicación.",
        )
    ],
)
def parsed_tables(
    context: AssetExecutionContext, report_text: ReportText, folders: Folders
) -> Iterator[Output | AssetCheckResult]:
    """Parse with the CLI's parser and the configured series; a refusal fails the reconciliation check
    before the step fails."""
    try:
        parsed = parse_report(report_text, specs=folders.series)
    except ReportError as error:
        yield AssetCheckResult(
            check_name=RECONCILIATION,
            passed=False,
            severity=AssetCheckSeverity.ERROR,
            description=f"El informe no se pudo leer: {error}",
            metadata=error_metadata(error),
        )
        raise failure(error) from None
    yield Output(parsed, metadata=parsed_metadata(parsed))
    yield reconciliation(parsed)


def broken_arithmetic(parsed: ParsedReport) -> list[Discrepancy]:
    """Rows whose own figures do not add up (row rules): a misread or a broken report, not a nuance."""
    return [d for d in parsed.discrepancies if d.tipo == "aritmetica"]


def reconciliation(parsed: ParsedReport) -> AssetCheckResult:
    """ERROR for broken row arithmetic, WARN for the report's other disagreements with itself."""
    broken = broken_arithmetic(parsed)
    others = [d for d in parsed.discrepancies if d not in broken]
    outcomes = {r: sum(1 for c in parsed.checks if c.resultado == r) for r in ("coincide", "discrepa", "no-encontrado")}
    metadata = {
        "aritmética rota": discrepancy_list(broken, "Ninguna: cada fila cumple las reglas de su cuadro."),
        "discrepancias del informe": discrepancy_list(others, "Ninguna: el informe coincide consigo mismo."),
        "celdas vacías reconstruidas": len(parsed.placed),
        "comprobaciones que coinciden": outcomes["coincide"],
        "comprobaciones que discrepan": outcomes["discrepa"],
        "cifras no encontradas en el texto": outcomes["no-encontrado"],
    }
    if broken:
        return AssetCheckResult(
            check_name=RECONCILIATION,
            passed=False,
            severity=AssetCheckSeverity.ERROR,
            metadata=metadata,
            description=f"{len(broken)} fila(s) cuya aritmética no cuadra; no se publica hasta revisarlas. "
            f"Primera: {broken[0].recurso}, línea {broken[0].linea}: {broken[0].descripcion} "
            f"(impreso {broken[0].valor_declarado}, calculado {broken[0].valor_calculado}).",
        )
    if others:
        return AssetCheckResult(
            check_name=RECONCILIATION,
            passed=False,
            severity=AssetCheckSeverity.WARN,
            metadata=metadata,
            description=f"{len(others)} discrepancias del propio informe; se publican las cifras tal como se "
            "imprimieron y se listan en calidad.json.",
        )
    return AssetCheckResult(check_name=RECONCILIATION, passed=True, metadata=metadata)
