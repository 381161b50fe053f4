"""Build report PDFs for the tests from a report's text, the way institutions lay them out.

Every text line becomes one PDF line. A table row becomes positioned cells: its
label at the left margin and each figure right-aligned at its column's fixed x,
a zero cell the printed text left out (a blank the parser placed) is simply not
drawn, as institutions print them. So a PDF made from the bundled text carries
the bundled report's figures without the tests hard-coding any of them, and
extracting it must give back the same tables. `invariant=1` makes the bytes
stable, so a PDF's sha256 is the same on every run.

Bitstream Vera (shipped inside reportlab) is embedded so accents, dashes and
"∑" survive; it has no "●", drawn as "•" instead (only prose bullets use it).
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import reportlab
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from pipelines.report.numbers import split_trailing_numbers
from pipelines.report.text import load_report
from pipelines.tables.locate import clean
from pipelines.tables.model import ParsedReport, Table
from pipelines.tables.parse import parse_report

FONT = "Vera"
SIZE = 7.0
LEADING = 11.0
MARGIN = 36.0
GAP = 14.0
"""Space between a column's widest cell and the next column: far wider than a word space."""
PAGE = landscape(A4)
MISSING_GLYPHS = {"●": "•"}

pdfmetrics.registerFont(TTFont(FONT, os.path.join(os.path.dirname(reportlab.__file__), "fonts", "Vera.ttf")))


@dataclass(frozen=True)
class Cells:
    """One table line as positioned cells: `None` is a blank cell, drawn as nothing."""

    table: str
    label: str
    cells: tuple[str | None, ...]


def width(text: str) -> float:
    return pdfmetrics.stringWidth(text, FONT, SIZE)


def drawable(line: str) -> str:
    return "".join(MISSING_GLYPHS.get(char, char) for char in line)


def _totals_cells(table: Table, text: str, columns: int) -> tuple[str, tuple[str | None, ...]]:
    """The totals line, its figures under the columns they sum (all, or the total fields only)."""
    spec = table.spec
    assert spec.totals is not None
    label, tokens = split_trailing_numbers(text[len(spec.totals.label) :], 99)
    if len(tokens) == columns:
        return spec.totals.label + label, tuple(tokens)
    numeric = [f.name for f in spec.cell_fields if f.is_numeric] or [f.name for f in spec.fields]
    summed = iter(tokens)
    cells = [next(summed) if name in {f.name for f in spec.total_fields} else None for name in numeric]
    return spec.totals.label + label, tuple(
        cells[-columns:] if len(cells) > columns else [None] * (columns - len(cells)) + cells
    )


def _row_cells(parsed: ParsedReport, table: Table, lines: tuple[str, ...]) -> dict[int, Cells]:
    """Line number → cells for every row and the totals line of one table."""
    spec, found = table.spec, {}
    if spec.layout == "columns":
        for row_label in spec.row_labels:
            for number in range(table.heading_line, table.end_line + 1):
                text = clean(lines[number - 1])
                if text.startswith(row_label.label + " "):
                    label, tokens = split_trailing_numbers(text, len(spec.columns))
                    found[number] = Cells(spec.name, label, tuple(tokens))
                    break
        return found
    if spec.layout == "pattern":
        for row in table.rows:
            match = re.match(spec.row_pattern or "", clean(lines[row.line - 1]))
            assert match, row.line
            parts = [match[name] for name in match.groupdict()]
            dates = [name for name in match.groupdict() if name.startswith("fecha")]
            if len(dates) == 2:  # "9-11-2020 al 29-03-2021" is one printed cell
                first = list(match.groupdict()).index(dates[0])
                parts[first : first + 2] = [f"{parts[first]} al {parts[first + 1]}"]
            found[row.line] = Cells(spec.name, parts[0], tuple(parts[1:]))
        columns = max(len(c.cells) for c in found.values())
    else:
        numeric = [f.name for f in spec.cell_fields if f.is_numeric]
        columns = len(numeric)
        for row in table.rows:
            blanks = {p.campo for p in parsed.placed if p.recurso == spec.name and p.linea == row.line}
            label, tokens = split_trailing_numbers(clean(lines[row.line - 1]), len(numeric))
            printed = iter(tokens)
            found[row.line] = Cells(
                spec.name, label, tuple(None if name in blanks else next(printed) for name in numeric)
            )
    if table.totals_line:
        label, cells = _totals_cells(table, clean(lines[table.totals_line - 1]), columns)
        found[table.totals_line] = Cells(spec.name, label, cells)
    return found


def table_cells(text: str) -> dict[int, Cells]:
    """Every table line of a report text, found by parsing it (blanks and all) from a private folder."""
    with tempfile.TemporaryDirectory(prefix="rendicion-pdf-fuente-") as scratch:
        source = Path(scratch) / "informe.txt"
        source.write_text(text, encoding="utf-8")
        report = load_report(source)
        parsed = parse_report(report)
    found: dict[int, Cells] = {}
    for table in parsed.tables.values():
        found.update(_row_cells(parsed, table, report.lines))
    return found


def _column_edges(rows: Iterable[Cells]) -> dict[str, list[float]]:
    """Per table: the right edge of each figure column, after the widest label."""
    by_table: dict[str, list[Cells]] = {}
    for row in rows:
        by_table.setdefault(row.table, []).append(row)
    edges = {}
    for name, members in by_table.items():
        columns = max(len(r.cells) for r in members)
        left = MARGIN + max(width(r.label) for r in members) + GAP
        step = max(width(c) for r in members for c in r.cells if c) + GAP
        edges[name] = [left + step * (i + 1) for i in range(columns)]
        if edges[name][-1] > PAGE[0] - MARGIN / 2:
            raise ValueError(f"la tabla {name} no cabe en la página")
    return edges


def report_pdf(text: str, path: Path, **canvas_options: object) -> Path:
    """Write `text` as a report PDF at `path`: prose lines as lines, table rows as positioned cells."""
    rows = table_cells(text)
    edges = _column_edges(rows.values())
    canvas = Canvas(str(path), pagesize=PAGE, invariant=1, **canvas_options)  # type: ignore[arg-type]
    canvas.setFont(FONT, SIZE)
    top = PAGE[1] - MARGIN
    y = top
    for number, line in enumerate(text.split("\n"), start=1):
        if y < MARGIN:
            canvas.showPage()
            canvas.setFont(FONT, SIZE)
            y = top
        row = rows.get(number)
        if row is None:
            if line.strip():
                canvas.drawString(MARGIN, y, drawable(line.strip()))
        else:
            if row.label:
                canvas.drawString(MARGIN, y, drawable(row.label))
            for cell, right in zip(row.cells, edges[row.table]):
                if cell is not None:
                    canvas.drawRightString(right, y, cell)
        y -= LEADING
    canvas.save()
    return path


def scanned_pdf(path: Path) -> Path:
    """A PDF whose only page is a picture (a scan): no text to extract."""
    from PIL import Image

    picture = Image.new("L", (200, 100), color=255)
    for x in range(20, 180):
        picture.putpixel((x, 50), 0)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    canvas = Canvas(str(path), pagesize=PAGE, invariant=1)
    canvas.drawImage(ImageReader(io.BytesIO(buffer.getvalue())), MARGIN, MARGIN, 400, 200)
    canvas.save()
    return path


def encrypted_pdf(text: str, path: Path) -> Path:
    """A PDF that opens only with a password."""
    canvas = Canvas(str(path), pagesize=PAGE, invariant=1, encrypt="secreto")
    canvas.setFont(FONT, SIZE)
    y = PAGE[1] - MARGIN
    for line in text.split("\n")[:40]:
        canvas.drawString(MARGIN, y, drawable(line.strip()))
        y -= LEADING
    canvas.save()
    return path
