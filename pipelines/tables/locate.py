"""Find each described table in the report text: heading, header, source line, extent."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.errors import ReportError
from pipelines.report.text import ReportText
from pipelines.specs.model import SeriesSpec, TableSpec


def clean(line: str) -> str:
    """A line with its spacing normalised, as the descriptions quote headings."""
    return " ".join(line.split())


@dataclass(frozen=True)
class Block:
    """Where one table sits: 1-based line numbers, `end` exclusive."""

    spec: TableSpec
    heading: int
    data_start: int
    end: int
    source: str | None


def find_heading(report: ReportText, spec: TableSpec) -> int:
    for number, line in enumerate(report.lines, start=1):
        if clean(line).startswith(spec.heading):
            return number
    last = len(report.lines)
    raise ReportError(
        f"no se encontró el cuadro «{spec.title}» (encabezado «{spec.heading}») en las {last} líneas del "
        "informe: ¿falta el cuadro o el informe está truncado?",
        table=spec.name,
        line=last,
        report=report.filename,
    )


def _source_line(report: ReportText, start: int, end: int) -> str | None:
    """The "Fuente …" line of a table, joined with the lines it wraps onto."""
    for number in range(start, end):
        text = clean(report.line(number))
        if text.startswith("Fuente"):
            parts = [text]
            following = number + 1
            while following < end and clean(report.line(following)) and not parts[-1].endswith("."):
                parts.append(clean(report.line(following)))
                following += 1
            return " ".join(parts)
    return None


def locate_tables(report: ReportText, series: SeriesSpec) -> list[Block]:
    """Every table's block, in the order the report prints them."""
    headings = sorted((find_heading(report, spec), spec) for spec in series.tables)
    total = len(report.lines) + 1
    blocks = []
    for index, (heading, spec) in enumerate(headings):
        end = headings[index + 1][0] if index + 1 < len(headings) else total
        data_start = heading + 1
        if spec.header_end:
            data_start = next(
                (n + 1 for n in range(heading + 1, end) if clean(report.line(n)) == spec.header_end),
                0,
            )
            if not data_start:
                raise ReportError(
                    f"no se encontró la línea de encabezados «{spec.header_end}» del cuadro",
                    table=spec.name,
                    line=heading,
                    report=report.filename,
                )
        blocks.append(Block(spec, heading, data_start, end, _source_line(report, heading, end)))
    return blocks
