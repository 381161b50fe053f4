"""What a mutant is, and the clean report's map every kind of mutant is drawn from."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from tests.fuzz.layout import Cell, Layout, Printed, TableAt, tokens
from tests.fuzz.oracle import Oracle, typed

T = TypeVar("T")

Expect = tuple[str, int | None, str, Any]
"""(table, row index or None for the totals line, field, value): a figure the mutant prints that,
if the report is published, must be published exactly so."""


@dataclass(frozen=True)
class Mutant:
    """A changed copy of the report (the bytes a file would hold) and what the promise expects of it."""

    kind: str
    description: str
    text: bytes
    catchable: bool
    """Whether the pipeline holds the information to tell: if so, publishing other figures
    without a new discrepancy is a failure (see `oracle` and each kind's docstring)."""
    why: str = ""
    table: str | None = None
    """The table the change is aimed at: a refusal must then name a table and a line."""
    expect: Expect | None = None
    needs_line: bool = False
    """The change sits on one line (a damaged byte): a refusal must name a line, if not a table."""


def mutant(
    description: str,
    data: str | bytes,
    caught: bool,
    why: str,
    table: str | None = None,
    expect: Expect | None = None,
    needs_line: bool = False,
) -> Mutant:
    """A mutant as a file would hold it (text encoded as UTF-8); `mutants` fills in its kind."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return Mutant("", description, raw, caught, why, table, expect, needs_line)


@dataclass
class Context:
    """What a kind draws from: the clean text, its map, the oracle, and the kind's own seeded generator."""

    text: str
    layout: Layout
    oracle: Oracle
    rng: random.Random

    @property
    def tables(self) -> list[TableAt]:
        return list(self.layout.tables.values())

    def pick(self, items: list[T]) -> T | None:
        return self.rng.choice(items) if items else None

    def table(self, test: Callable[[TableAt], bool] = lambda t: True) -> TableAt | None:
        return self.pick([t for t in self.tables if test(t)])

    def edit(self, changes: dict[int, str | list[str] | None]) -> str:
        """The report with lines (1-based) replaced by a string, several lines, or removed (None)."""
        out: list[str] = []
        for number, line in enumerate(self.layout.lines, start=1):
            change = changes.get(number, line)
            if change is None:
                continue
            out.extend(change if isinstance(change, list) else [change])
        return "\n".join(out)

    def line(self, number: int) -> str:
        return self.layout.lines[number - 1]

    def with_token(self, number: int, index: int, new: str) -> str:
        """Line `number` with its `index`-th word replaced (spacing kept)."""
        line = self.line(number)
        word = tokens(line)[index]
        return line[: word.start()] + new + line[word.end() :]

    def cells_change(self, table: TableAt, changes: list[tuple[Cell, str]]) -> tuple[bool, str, Expect | None]:
        """Catchable?, why, and the figure to expect, when printed cells of one line read otherwise.

        A data row of a `rows` table is re-read from its printed cells (every placement of its
        blanks); a totals line, a `columns` measure line or a `pattern` row has one reading.
        """
        name, spec = table.name, table.spec
        figures = self.oracle.figures()
        printed = [list(p) for p in self.oracle.printed[name]]
        expect: Expect | None = None
        for cell, new in changes:
            fld = spec.field(cell.field)
            try:
                value = _value(fld.type, fld, new)
            except ValueError:
                return True, "la celda ya no es una cifra (o fecha) del tipo de su columna", None
            expect = (name, cell.row, cell.field, value) if len(changes) == 1 else None
            if cell.row is None:
                assert figures[name].totals is not None
                figures[name].totals[cell.field] = Decimal(value)  # type: ignore[index]
            elif spec.layout == "rows":
                row = table.rows[cell.row]
                printed[cell.row][row.cells.index(cell)] = new
                if len(row.cells) < len([f for f in spec.cell_fields if f.is_numeric]):
                    expect = None  # a short row: where the figure lands is the placement's business
            else:
                figures[name].rows[cell.row][cell.field] = value
        if spec.layout == "rows":
            rows = {c.row for c, _ in changes if c.row is not None}
            caught = self.oracle.reveals_reading(figures, name, printed, rows)
        else:
            caught = self.oracle.reveals(figures)
        return caught, _why(caught), expect

    def printed_cells(self, table: TableAt) -> list[Printed]:
        """Lines of figures: data rows or measure lines, and the totals line."""
        return [*table.rows, *([table.totals] if table.totals else [])]


def _value(kind: str, fld: Any, text: str) -> Any:
    if kind == "date":
        day, month, year = (int(p) for p in text.split("-"))
        return date(year, month, day)
    return typed(fld, text)


def _why(caught: bool) -> str:
    return (
        "una regla, un total, el texto, otro cuadro, una clave o una fecha declarada deja de cumplirse"
        if caught
        else "ninguna comprobación declarada cubre esta cifra (o una lectura de las celdas vacías la vuelve coherente)"
    )


def like(token: str, value: int | Decimal) -> str:
    """`value` printed the way `token` is: currency sign, thousands commas, decimals, percent sign."""
    body = token.removeprefix("Q").removesuffix("%")
    decimals = len(body.split(".")[1]) if "." in body else 0
    text = (
        f"{Decimal(value):,.{decimals}f}" if "," in body or Decimal(value) >= 1000 else f"{Decimal(value):.{decimals}f}"
    )
    return ("Q" if token.startswith("Q") else "") + text + ("%" if token.endswith("%") else "")
