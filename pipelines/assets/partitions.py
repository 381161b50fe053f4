"""One partition per report: its series (institution) and period, `sosep-2021-C1`.

The key is `<series key>-<period key>`, both read from the report's own text
(the series by its `serie.toml` detection rule, the period by the dates it
names), never from the file name, so a renamed file still lands on its
partition. One dynamic partition set of such keys, rather than a two-dimension
MultiPartitionsDefinition (series × period): institutions publish on their own
calendars, and the cross product would show, and backfill, partitions that have
no report (measured: 3 SOSEP periods + 1 SBS period gave 6 partitions, 2 of them
never materialisable, and an "all partitions" backfill of 6 runs; the flat set
gives 4 and 4). The mapping is recomputed from the folder each time: the folder
is the truth, not Dagster.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from dagster import DynamicPartitionsDefinition, Failure

from pipelines.errors import ReportError
from pipelines.publish.local import sha256_file
from pipelines.report.period import Period, detect_period
from pipelines.report.text import REPORT_SUFFIXES, load_report
from pipelines.specs import detect_series

PARTITIONS = DynamicPartitionsDefinition(name="serie_periodo")
KEY = re.compile(r"^(?P<series>[a-z0-9]+(?:-[a-z0-9]+)*)-(?P<year>\d{4})-C(?P<number>[123])$")


@dataclass(frozen=True)
class ReportKey:
    """Which institution's report, for which four-month period."""

    series: str
    period: Period

    @property
    def key(self) -> str:
        return f"{self.series}-{self.period.key}"


def parse_key(key: str) -> ReportKey:
    match = KEY.match(key)
    if not match:
        raise ValueError(f"clave de partición inválida: {key!r} (se espera <serie>-<año>-C<n>, p. ej. sosep-2021-C1)")
    return ReportKey(match["series"], Period(year=int(match["year"]), number=int(match["number"])))


def previous_key(key: str) -> str:
    """The same series' four-month period before this one: sosep-2021-C1 → sosep-2020-C3."""
    current = parse_key(key)
    year, number = current.period.year, current.period.number
    before = Period(year=year - 1, number=3) if number == 1 else Period(year=year, number=number - 1)
    return ReportKey(current.series, before).key


def report_files(reports_dir: Path) -> list[Path]:
    """Report files in the folder: extracted text or PDF (corrections files are TOML, never listed)."""
    return sorted(
        p
        for p in reports_dir.iterdir()
        if p.suffix.lower() in REPORT_SUFFIXES and p.is_file() and not p.name.startswith(".")
    )


@lru_cache(maxsize=512)
def _identify(path: Path, sha256: str, specs: Path) -> tuple[str, None] | tuple[None, tuple]:
    """The key of one file's content, or why not (cached by hash: a PDF's text is extracted once per content)."""
    try:
        report = load_report(path)
        return ReportKey(detect_series(report, specs).key, detect_period(report)).key, None
    except ReportError as error:
        return None, (error.message, error.table, error.line, error.report)


def identify(path: Path, specs: Path) -> str:
    """The partition key a report file belongs to; ReportError if its series or period cannot be read."""
    try:
        key, refused = _identify(path, sha256_file(path), specs)
    except OSError as error:
        raise ReportError(f"no se puede leer el archivo: {error.strerror or error}", report=path.name) from None
    if refused is not None:
        message, table, line, report = refused
        raise ReportError(message, table=table, line=line, report=report)
    return key


def scan_reports(reports_dir: Path, specs: Path) -> tuple[dict[str, Path], list[ReportError]]:
    """Partition key → report file, plus the files whose series or period cannot be read.

    One unreadable file must not hide the others, so errors are collected, not raised.
    Two files of one series and period are an error for the later one: publishing either
    silently would be a guess. Two series in the same period are two partitions.
    """
    found: dict[str, Path] = {}
    errors: list[ReportError] = []
    for path in report_files(reports_dir) if reports_dir.is_dir() else []:
        try:
            key = identify(path, specs)
        except ReportError as error:
            errors.append(error)
            continue
        if key in found:
            errors.append(
                ReportError(f"la serie y período {key} ya corresponden a {found[key].name}", report=path.name)
            )
            continue
        found[key] = path
    return found, errors


def report_for(key: str, reports_dir: Path, specs: Path) -> Path:
    """The report file of one partition, or a Failure an operator can act on."""
    found, errors = scan_reports(reports_dir, specs)
    if key in found:
        return found[key]
    details = "; ".join(str(e) for e in errors)
    raise Failure(
        description=f"No hay informe de {key} en {reports_dir}"
        + (f" (archivos con problemas: {details})" if details else ""),
        allow_retries=False,
    )
