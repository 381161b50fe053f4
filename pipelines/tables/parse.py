"""Report text → every described table, blanks placed, reconciled."""

from __future__ import annotations

from pathlib import Path

from pipelines.errors import ReportError
from pipelines.paths import SPECS_DIR
from pipelines.report.period import detect_period
from pipelines.report.text import ReportText
from pipelines.specs import detect_series
from pipelines.specs.model import SeriesSpec
from pipelines.tables import reconcile
from pipelines.tables.blanks import place_blanks
from pipelines.tables.corrections import load_corrections
from pipelines.tables.dates import check_dates
from pipelines.tables.locate import locate_tables
from pipelines.tables.model import ParsedReport, Table
from pipelines.tables.rows import read_columns, read_rows


def parse_report(report: ReportText, series: SeriesSpec | None = None, specs: Path = SPECS_DIR) -> ParsedReport:
    """All tables of one report, of the series its text names (or `series`); raises ReportError
    naming the report, table and line."""
    try:
        return _parse(report, series or detect_series(report, specs))
    except ReportError as error:
        raise error.naming(report.filename) from None


def _parse(report: ReportText, series: SeriesSpec) -> ParsedReport:
    period = detect_period(report)
    corrections = load_corrections(report.path)
    parsed = ParsedReport(report=report, period=period, series=series, tables={})
    blocks = locate_tables(report, series)
    for block in blocks:
        if block.spec.layout == "columns":
            table = read_columns(report, block)
        else:
            raw = read_rows(report, block)
            rows, placed = place_blanks(raw, report, corrections.get(block.spec.name, {}), series.blank_budget)
            parsed.placed.extend(placed)
            table = Table(
                spec=block.spec,
                rows=rows,
                heading_line=block.heading,
                totals=raw.totals,
                totals_line=raw.totals_line,
                source=block.source,
                end_line=raw.end_line,
            )
        check_dates(table, period, report.filename)
        parsed.tables[block.spec.name] = table

    checks: list[reconcile.Check] = []
    for block in blocks:
        table = parsed.tables[block.spec.name]
        for found, done in (
            reconcile.check_rows(table),
            reconcile.check_totals(table),
            reconcile.check_narrative(table, report, block.end),
            reconcile.check_cross(table, parsed.tables),
        ):
            parsed.discrepancies += found
            checks += done
    parsed.checks = checks
    # Publish tables in the order the series declares them, whatever the print order.
    parsed.tables = {spec.name: parsed.tables[spec.name] for spec in series.tables}
    return parsed
