"""Make variant reports from the bundled one: other figures, departments, blanks, period.

A variant re-renders a department table the way the PDF prints it (thousands
commas, zero cells in blankable columns simply left out) so the parser meets
the same layout with different content.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from pipelines.paths import REPORTS_DIR
from pipelines.report.text import load_report
from pipelines.specs import load_series
from pipelines.tables.parse import parse_report

BUNDLED = REPORTS_DIR / "sosep-2021-cuatrimestre-1.txt"

Rows = list[dict]


def bundled_text() -> str:
    return BUNDLED.read_text(encoding="utf-8")


def printed(value: int | Decimal) -> str:
    return f"{value:,}"


def render_row(label: str, values: list[int], blankable: list[bool], drop_zeros: bool) -> str:
    cells = [printed(v) for v, b in zip(values, blankable) if not (drop_zeros and b and v == 0)]
    return " ".join([label, *cells])


def rerender(
    text: str,
    table: str,
    transform: Callable[[Rows], Rows],
    drop_zeros: bool = True,
    totals: Callable[[Rows, list[str]], dict[str, int]] | None = None,
) -> str:
    """Replace a department table's rows (and its totals line) with transformed ones."""
    spec = load_series().table(table)
    with tempfile.TemporaryDirectory() as folder:  # never a fixed path: tests may run side by side
        path = Path(folder) / BUNDLED.name
        path.write_text(text, encoding="utf-8")
        parsed = parse_report(load_report(path))
    tbl = parsed.tables[table]
    rows = transform([dict(r.values) for r in tbl.rows])
    numeric = [f for f in spec.cell_fields if f.is_numeric]
    sums = {f.name: sum(r[f.name] for r in rows) for f in numeric}
    if totals:
        sums.update(totals(rows, [f.name for f in numeric]))
    lines = text.split("\n")
    first = min(r.line for r in tbl.rows) - 1
    last = tbl.totals_line - 1
    body = []
    for row in rows:
        body += [
            render_row(row["departamento"], [row[f.name] for f in numeric], [f.blank for f in numeric], drop_zeros),
            "",
        ]
    body.append(" ".join([spec.totals.label, *[printed(sums[f.name]) for f in numeric]]))
    return "\n".join(lines[:first] + body + lines[last + 1 :])


def with_period(text: str, months: str, year: int) -> str:
    """Move the report to another four-month period, e.g. months="mayo-agosto"."""
    start, end = months.split("-")
    out = text.replace("enero–abril de 2021", f"{start}–{end} de {year}")
    out = out.replace("enero-abril de 2021", f"{start}-{end} de {year}")
    ordinal = {"enero": "", "mayo": "Segundo", "septiembre": "Tercer"}[start]
    if ordinal:  # "Primer Informe Cuatrimestral", "primer cuatrimestre" must name the same period
        out = out.replace("Primer Informe", f"{ordinal} Informe").replace(
            "primer cuatrimestre", f"{ordinal.lower()} cuatrimestre"
        )
    # Dates inside tables (shelters' coverage) move with the year.
    return out.replace("-2021 ", f"-{year} ").replace("-2020 ", f"-{year - 1} ")


def write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path
