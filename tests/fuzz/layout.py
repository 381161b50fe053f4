"""Where the clean report prints each table's rows, cells, totals and section lines.

Mutants are aimed through this map, built from one parse of the clean report
(`table.rows[i].line`, `table.totals_line`, `table.spec`, the blanks it placed),
so the generator holds no line numbers and keeps working on another report.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.report.period import MONTHS
from pipelines.report.text import load_report
from pipelines.specs.model import TableSpec
from pipelines.tables.model import ParsedReport
from pipelines.tables.parse import parse_report

TOKEN = re.compile(r"\S+")
PERIOD = re.compile(
    r"\b(" + "|".join(MONTHS) + r")(\s*[–—-]\s*)(" + "|".join(MONTHS) + r")(\s+de\s+)(\d{4})\b", re.IGNORECASE
)
"""A statement of the period ("enero–abril de 2021"), with its parts as groups."""


def clean(line: str) -> str:
    return " ".join(line.split())


def tokens(line: str) -> list[re.Match[str]]:
    """The line's words with their positions, so a mutant can change one and keep the spacing."""
    return list(TOKEN.finditer(line))


@dataclass(frozen=True)
class Cell:
    """One printed figure: where it is, what it says and which field it fills."""

    line: int
    token: int
    text: str
    field: str
    row: int | None
    """Index of the data row it belongs to; None for the totals line."""


@dataclass
class Printed:
    """A line of figures: a data row's cells, a `columns` table's measure, or the totals line."""

    line: int
    cells: list[Cell]
    row: int | None
    label: str = ""
    label_lines: tuple[int, ...] = ()
    """Earlier lines that carry the start of the row's label (a label broken over lines)."""

    @property
    def lines(self) -> tuple[int, ...]:
        return (*self.label_lines, self.line)


@dataclass
class TableAt:
    name: str
    spec: TableSpec
    heading: int
    header_end: int | None
    end: int
    """The first line after the table's block (the next heading, or past the last line)."""
    rows: list[Printed]
    """`rows`/`pattern` layouts: one per data row, in order; `columns`: one per measure line."""
    totals: Printed | None
    groups: list[int] = field(default_factory=list)

    @property
    def departments(self) -> bool:
        return self.spec.has_departments

    @property
    def last_line(self) -> int:
        return max([self.totals.line] if self.totals else [r.line for r in self.rows])

    def structural(self) -> set[int]:
        """Lines the table cannot lose: heading, header's last line, sections, totals, measure lines."""
        found = {self.heading, *self.groups}
        if self.header_end:
            found.add(self.header_end)
        if self.totals:
            found.add(self.totals.line)
        if self.spec.layout == "columns":
            found.update(r.line for r in self.rows)
        return found


@dataclass
class Layout:
    lines: list[str]
    parsed: ParsedReport
    tables: dict[str, TableAt]
    period_lines: list[int]

    @property
    def last_structural_line(self) -> int:
        return max(t.last_line for t in self.tables.values())

    def row_at(self, line: int) -> tuple[TableAt, Printed] | None:
        for table in self.tables.values():
            for printed in table.rows:
                if line in printed.lines:
                    return table, printed
        return None


def parse_text(text: str) -> ParsedReport:
    """Parse report text as the pipeline does, from a scratch file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "limpio.txt"
        path.write_text(text, encoding="utf-8")
        return parse_report(load_report(path))


def build_layout(text: str) -> Layout:
    parsed = parse_text(text)
    lines = text.split("\n")
    headings = sorted(t.heading_line for t in parsed.tables.values())
    tables = {}
    for name, table in parsed.tables.items():
        spec = table.spec
        later = [h for h in headings if h > table.heading_line]
        end = later[0] if later else len(lines) + 1
        header_end = next(
            (
                n
                for n in range(table.heading_line + 1, end)
                if spec.header_end and clean(lines[n - 1]) == spec.header_end
            ),
            None,
        )
        start = (header_end or table.heading_line) + 1
        stop = table.totals_line or end
        groups = [n for n in range(start, stop) if spec.groups and re.match(spec.groups.pattern, clean(lines[n - 1]))]
        totals = None
        if table.totals_line and table.totals:
            words = tokens(lines[table.totals_line - 1])
            keys = list(table.totals)
            first = len(words) - len(keys)
            totals = Printed(
                table.totals_line,
                [Cell(table.totals_line, first + j, words[first + j][0], key, None) for j, key in enumerate(keys)],
                None,
                spec.totals.label,
            )
        if spec.layout == "columns":
            rows = _measure_lines(lines, spec, start, end)
        elif spec.layout == "pattern":
            rows = [_pattern_row(lines, spec, i, r.line) for i, r in enumerate(table.rows)]
        else:
            blanks: dict[int, set[str]] = {}
            for cell in parsed.placed:
                if cell.recurso == name:
                    blanks.setdefault(cell.linea, set()).add(cell.campo)
            rows = []
            boundary = start - 1
            for i, row in enumerate(table.rows):
                filled = [
                    f.name for f in spec.cell_fields if f.is_numeric and f.name not in blanks.get(row.line, set())
                ]
                words = tokens(lines[row.line - 1])
                first = len(words) - len(row.cells)
                cells = [Cell(row.line, first + j, words[first + j][0], filled[j], i) for j in range(len(row.cells))]
                previous = max([boundary, *[g for g in groups if g < row.line]])
                label_lines = tuple(n for n in range(previous + 1, row.line) if clean(lines[n - 1]))
                rows.append(Printed(row.line, cells, i, row.label, label_lines))
                boundary = row.line
        tables[name] = TableAt(name, spec, table.heading_line, header_end, end, rows, totals, groups)
    period_lines = [n for n, line in enumerate(lines, start=1) if PERIOD.search(line)]
    return Layout(lines, parsed, tables, period_lines)


def _measure_lines(lines: list[str], spec: TableSpec, start: int, end: int) -> list[Printed]:
    """A `columns` table: each row label's line, its cells filling one field across the columns."""
    found = []
    for row_label in spec.row_labels:
        for n in range(start, end):
            if clean(lines[n - 1]).startswith(row_label.label + " "):
                words = tokens(lines[n - 1])
                first = len(words) - len(spec.columns)
                cells = [Cell(n, first + j, words[first + j][0], row_label.field, j) for j in range(len(spec.columns))]
                found.append(Printed(n, cells, None, row_label.label))
                break
    return found


def _pattern_row(lines: list[str], spec: TableSpec, index: int, line: int) -> Printed:
    """A `pattern` row: its numeric and date groups as cells (token positions from the match)."""
    text = clean(lines[line - 1])
    match = re.match(spec.row_pattern or "", text)
    assert match, f"clean pattern row not matched: {text!r}"
    cells = []
    for fld in spec.fields:
        if fld.is_numeric or fld.type == "date":
            position = text[: match.start(fld.name)].count(" ")
            cells.append(Cell(line, position, match[fld.name], fld.name, index))
    return Printed(line, cells, index, text)
