"""Report periods as dynamic partitions, and which report file is which period.

The partition key is the period the report's own text names (`2021-C1`), not
its file name, so a renamed file still lands on its period. The mapping is
recomputed from the folder each time: the folder is the truth, not Dagster.
"""

from __future__ import annotations

import re
from pathlib import Path

from dagster import DynamicPartitionsDefinition, Failure

from pipelines.errors import ReportError
from pipelines.report.period import Period, detect_period
from pipelines.report.text import load_report

PERIODS = DynamicPartitionsDefinition(name="periodo")
KEY = re.compile(r"^(?P<year>\d{4})-C(?P<number>[123])$")


def report_files(reports_dir: Path) -> list[Path]:
    """Report texts in the folder (corrections files are TOML, never listed)."""
    return sorted(p for p in reports_dir.glob("*.txt") if p.is_file())


def scan_reports(reports_dir: Path) -> tuple[dict[str, Path], list[ReportError]]:
    """Period key → report file, plus the files whose period cannot be read.

    One unreadable file must not hide the others, so errors are collected, not raised.
    Two files claiming one period are an error for the later one: publishing either
    silently would be a guess.
    """
    found: dict[str, Path] = {}
    errors: list[ReportError] = []
    for path in report_files(reports_dir):
        try:
            key = detect_period(load_report(path)).key
        except ReportError as error:
            errors.append(error)
            continue
        if key in found:
            errors.append(ReportError(f"el período {key} ya corresponde a {found[key].name}", report=path.name))
            continue
        found[key] = path
    return found, errors


def report_for(period_key: str, reports_dir: Path) -> Path:
    """The report file of one period, or a Failure an operator can act on."""
    found, errors = scan_reports(reports_dir)
    if period_key in found:
        return found[period_key]
    details = "; ".join(str(e) for e in errors)
    raise Failure(
        description=f"No hay informe del período {period_key} en {reports_dir}"
        + (f" (archivos con problemas: {details})" if details else ""),
        allow_retries=False,
    )


def parse_key(period_key: str) -> Period:
    match = KEY.match(period_key)
    if not match:
        raise ValueError(f"clave de período inválida: {period_key!r} (se espera p. ej. 2021-C1)")
    return Period(year=int(match["year"]), number=int(match["number"]))


def previous_key(period_key: str) -> str:
    """The four-month period before this one: 2021-C1 → 2020-C3."""
    period = parse_key(period_key)
    if period.number == 1:
        return Period(year=period.year - 1, number=3).key
    return Period(year=period.year, number=period.number - 1).key
