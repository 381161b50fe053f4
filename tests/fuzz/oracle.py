"""Which changes the report's own declarations can reveal: the meaning of `catchable`.

A mutant is catchable when the information the pipeline holds (the table
descriptions, the department vocabulary, the report's prose and period) shows
that something is wrong: some declared equation or constraint that held, or
failed the same way, in the clean report now fails differently. This module
re-states those checks independently of `pipelines/tables/reconcile.py`, over
typed figures, so the parser under test is not its own judge:

- row rules (`hombres + mujeres = total_genero`, `pct = a / b * 100` rounded to the
  printed decimals; `x / 0` with `x ≠ 0` is never a printable percentage);
- each summed column against the totals line (only the summed rows:
  `first_of_each_group`), and row rules on the totals line;
- the prose's figures ("LOGROS INSTITUCIONALES") and other tables' figures;
- declared keys (primary key; in a sectioned table, a section's row repeated);
- labels, when the description declares the closed list of them (`known_labels`);
- dates: start not after end, and none more than a year outside the period.

A mutant's change is modelled on a copy of the clean figures; when it touches a
row with blank cells, every placement of its printed cells that satisfies the
row rules is tried, since the pipeline may legitimately read any of them.
"""

from __future__ import annotations

import ast
import copy
import itertools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from pipelines.specs.model import FieldSpec, TableSpec
from pipelines.tables.model import ParsedReport

NUMBER = re.compile(r"^Q?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?$")
MAX_JOINT = 4096
"""Joint placements tried across a table's short rows before only the changed rows vary."""


class Undefined(ArithmeticError):
    """x / 0 with x ≠ 0."""


def number(token: str) -> Decimal:
    if not NUMBER.match(token):
        raise ValueError(token)
    return Decimal(token.removeprefix("Q").removesuffix("%").replace(",", ""))


def typed(fld: FieldSpec, token: str) -> Any:
    """A printed figure as its field's type; ValueError when it cannot be one."""
    value = number(token)
    if fld.type == "integer":
        if value != value.to_integral_value():
            raise ValueError(token)
        return int(value)
    return value


@lru_cache(maxsize=512)
def _tree(expression: str) -> ast.expr:
    return ast.parse(expression, mode="eval").body


def evaluate(expression: str, values: dict[str, Any]) -> Decimal:
    def walk(node: ast.expr) -> Decimal:
        if isinstance(node, ast.Name):
            return Decimal(values[node.id])
        if isinstance(node, ast.Constant):
            return Decimal(str(node.value))
        if isinstance(node, ast.BinOp):
            left, right = walk(node.left), walk(node.right)
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Sub):
                return left - right
            if isinstance(node.op, ast.Mult):
                return left * right
            if isinstance(node.op, ast.Div):
                if right == 0 and left != 0:
                    raise Undefined(expression)
                return left / right if right else Decimal(0)
        raise ValueError(f"unsupported expression {expression!r}")

    return walk(_tree(expression))


def rule_holds(spec: TableSpec, rule: str, values: dict[str, Any]) -> bool:
    left, _, right = (side.strip() for side in rule.partition("="))
    target, expression = (left, right) if left.isidentifier() else (right, left)
    if not all(name in values for name in _names(rule)):
        return True
    try:
        expected = evaluate(expression, values)
    except Undefined:
        return False
    decimals = spec.field(target).decimals
    if decimals is not None:
        expected = expected.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return Decimal(values[target]) == expected


@lru_cache(maxsize=512)
def _names(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"[A-Za-z_]\w*", text))


@lru_cache(maxsize=4096)
def normalize(name: str) -> str:
    bare = "".join(c for c in unicodedata.normalize("NFD", name.casefold()) if unicodedata.category(c) != "Mn")
    return " ".join(bare.split())


@dataclass
class Fig:
    """One table's figures: typed row values and the totals line."""

    spec: TableSpec
    rows: list[dict[str, Any]]
    totals: dict[str, Decimal] | None


Figures = dict[str, Fig]


class Oracle:
    """The clean report's checks, re-stated; `reveals(figures)` answers "is anything new wrong?"."""

    def __init__(self, parsed: ParsedReport, lines: list[str]) -> None:
        self.clean: Figures = {
            name: Fig(t.spec, [dict(r.values) for r in t.rows], dict(t.totals) if t.totals else None)
            for name, t in parsed.tables.items()
        }
        self.printed = {name: [list(r.cells) for r in t.rows] for name, t in parsed.tables.items()}
        self.window = (parsed.period.start - timedelta(days=366), parsed.period.end + timedelta(days=366))
        headings = sorted(t.heading_line for t in parsed.tables.values())
        self.stated: dict[tuple[str, str], Decimal | None] = {}
        for name, table in parsed.tables.items():
            later = [h for h in headings if h > table.heading_line]
            stop = later[0] if later else len(lines) + 1
            prose = " ".join(" ".join(lines[n - 1].split()) for n in range(table.end_line + 1, stop))
            for claim in table.spec.narrative:
                match = re.search(claim.pattern, prose)
                self.stated[(name, claim.pattern)] = (
                    sum((number(g) for g in match.groups()), Decimal(0)) if match else None
                )
        self.baseline = self.failures(self.clean)

    def figures(self) -> Figures:
        return copy.deepcopy(self.clean)

    def reveals(self, figures: Figures) -> bool:
        return bool(self.failures(figures) - self.baseline)

    def failures(self, figures: Figures, only: set[str] | None = None) -> frozenset[tuple[Any, ...]]:
        found: set[tuple[Any, ...]] = set()
        for name, fig in figures.items():
            if only is None or name in only:
                found |= self._table_failures(name, fig, figures)
        return frozenset(found)

    def _table_failures(self, name: str, fig: Fig, figures: Figures) -> set[tuple[Any, ...]]:
        spec, found = fig.spec, set()
        for rule in spec.rules:
            for row in fig.rows:
                if not rule_holds(spec, rule, row):
                    found.add(("regla", name, rule, _frozen(row)))
            if fig.totals and _names(rule) <= set(fig.totals) and not rule_holds(spec, rule, dict(fig.totals)):
                found.add(("regla-totales", name, rule, _frozen(fig.totals)))
        sums = column_sums(fig)
        for column, computed in sums.items():
            stated = (fig.totals or {}).get(column)
            if stated is not None and stated != computed:
                found.add(("total", name, column, stated, computed))
        for claim in spec.narrative:
            stated = self.stated[(name, claim.pattern)]
            computed = evaluate(claim.expression, sums)
            if stated != computed:
                found.add(("texto", name, claim.pattern, stated, computed))
        for cross in spec.cross_checks:
            computed = evaluate(cross.expression, sums)
            other = figures[cross.resource]
            if cross.match_field:
                row = next(
                    (r for r in other.rows if str(r[cross.match_field]).startswith(cross.match_prefix or "")), None
                )
                value = None if row is None else Decimal(row[cross.field])
            else:
                value = (other.totals or {}).get(cross.field)
            if value != computed:
                found.add(("cruce", name, cross.description, value, computed))
        found |= _key_failures(name, fig)
        known = {normalize(k) for k in getattr(spec, "known_labels", ()) or ()}
        for row in fig.rows:
            for fld in spec.fields:
                if fld.source == "label" and known and normalize(str(row[fld.name])) not in known:
                    found.add(("etiqueta", name, row[fld.name]))
        found |= self._date_failures(name, fig)
        return found

    def _date_failures(self, name: str, fig: Fig) -> set[tuple[Any, ...]]:
        found = set()
        dates = [f.name for f in fig.spec.fields if f.type == "date"]
        for row in fig.rows:
            values: list[date] = [row[d] for d in dates]
            if any(not self.window[0] <= v <= self.window[1] for v in values):
                found.add(("fecha", name, _frozen(row)))
            if any(a > b for a, b in zip(values, values[1:])):
                found.add(("orden-fechas", name, _frozen(row)))
        return found

    def reveals_reading(self, figures: Figures, name: str, printed: list[list[str]], changed: set[int]) -> bool:
        """Re-read table `name` from printed cells; True when every consistent placement reveals the change.

        `figures[name].rows` gives each row's non-cell values (label, department, section);
        `printed[i]` its numeric cells as printed. A row printing every cell has one reading,
        kept even if it breaks a rule; a short row has every placement that keeps the row
        rules. No placement for a short row, or a cell that is not a figure, reveals it.
        """
        fig = figures[name]
        options: list[list[dict[str, Any]]] = []
        for row, cells in zip(fig.rows, printed):
            found = readings(fig.spec, cells, row)
            if found is None:
                return True
            options.append(found)
        varying = [i for i, o in enumerate(options) if len(o) > 1]
        if _product(len(options[i]) for i in varying) > MAX_JOINT:
            varying = [i for i in varying if i in changed]
            for i, o in enumerate(options):
                if i not in varying and len(o) > 1:
                    options[i] = [next((r for r in o if r == fig.rows[i]), o[0])]
        # Only `name` and the tables that check against it change from one placement to the next.
        related = {name} | {n for n, f in figures.items() if any(c.resource == name for c in f.spec.cross_checks)}
        fixed = self.failures(figures, set(figures) - related)
        for choice in itertools.product(*options):
            trial = dict(figures)
            trial[name] = Fig(fig.spec, list(choice), fig.totals)
            if not (fixed | self.failures(trial, related)) - self.baseline:
                return False
        return True


def readings(spec: TableSpec, cells: list[str], fixed: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Every way to read a row's printed cells; None when no placement types them."""
    numeric = [f for f in spec.cell_fields if f.is_numeric]
    missing = len(numeric) - len(cells)
    if missing < 0:
        return None
    blankable = [f.name for f in numeric if f.blank]
    found = []
    for blanks in itertools.combinations(blankable, missing):
        values = {k: v for k, v in fixed.items()}
        remaining = iter(cells)
        try:
            for fld in numeric:
                values[fld.name] = (
                    (0 if fld.type == "integer" else Decimal(0)) if fld.name in blanks else typed(fld, next(remaining))
                )
        except ValueError:
            continue
        if missing == 0 or all(rule_holds(spec, rule, values) for rule in spec.rules):
            found.append(values)
    return found or None


def summed_rows(fig: Fig) -> list[dict[str, Any]]:
    totals = fig.spec.totals
    if totals is None or totals.rows == "all":
        return fig.rows
    field = fig.spec.groups.field if fig.spec.groups else None
    seen: set[Any] = set()
    firsts = []
    for row in fig.rows:
        group = row.get(field) if field else None
        if group not in seen and group not in totals.exclude_groups:
            firsts.append(row)
        seen.add(group)
    return firsts


def column_sums(fig: Fig) -> dict[str, Decimal]:
    rows = summed_rows(fig)
    return {f.name: sum((Decimal(r[f.name]) for r in rows), Decimal(0)) for f in fig.spec.fields if f.total}


def _key_failures(name: str, fig: Fig) -> set[tuple[Any, ...]]:
    """A declared primary key repeated; in a sectioned table, a section's row repeated (its head aside)."""
    spec, found, seen = fig.spec, set(), set()
    label = next((f.name for f in spec.fields if f.source == "label"), None)
    group_field = spec.groups.field if spec.groups else None
    heads = spec.totals is not None and spec.totals.rows == "first_of_each_group"
    groups_seen: set[Any] = set()
    for row in fig.rows:
        if spec.primary_key:
            key: tuple[Any, ...] = tuple(row[k] for k in spec.primary_key)
        elif group_field and label and heads:
            group = row[group_field]
            key = (group, group not in groups_seen, normalize(str(row[label])))
            groups_seen.add(group)
        else:
            continue
        if key in seen:
            found.add(("clave", name, key))
        seen.add(key)
    return found


def _frozen(values: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((k, v) for k, v in values.items()))


def _product(sizes: Any) -> int:
    total = 1
    for size in sizes:
        total *= size
    return total
