"""Place the blank cells of rows that print fewer numbers than the table has columns.

The PDF drops zero cells without leaving a gap, so "El Progreso 1 5 6 6 6 6"
could mean Ladino 6 / Maya blank or the other way round. Each short row gets
the placements that keep its printed order and satisfy the table's row rules;
then the rows are chosen jointly so that the column sums equal the printed
totals (a small dynamic programme over the sums). Exactly one consistent
choice is used; none or several is an error unless a human-reviewed
corrections file settles the row.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations

from pipelines.errors import ReportError
from pipelines.report.text import ReportText
from pipelines.specs.model import BlankBudget, FieldSpec, TableSpec
from pipelines.tables.expressions import Rule
from pipelines.tables.model import PlacedCell, Row, Value
from pipelines.tables.rows import RawRow, RawTable, typed

DEFAULT_BUDGET = BlankBudget()
DEDUCED = "reglas-y-totales"
REVIEWED = "correccion-revisada"


@dataclass(frozen=True)
class Candidate:
    blanks: tuple[str, ...]
    values: dict[str, Value]


def _candidates(
    spec: TableSpec, raw: RawRow, report: ReportText, rules: list[Rule], forced: tuple[str, ...] | None
) -> list[Candidate]:
    """Every placement of the row's blanks that types cleanly and satisfies the row rules."""
    numeric = [f for f in spec.cell_fields if f.is_numeric]
    missing = len(numeric) - len(raw.cells)
    blankable = [f.name for f in numeric if f.blank]
    if forced is not None and (len(forced) != missing or not set(forced) <= {f.name for f in numeric}):
        raise ReportError(
            f"la corrección de la fila «{raw.label}» declara {len(forced)} celda(s) vacía(s) {list(forced)}, pero a "
            f"la fila le faltan {missing} de las columnas {[f.name for f in numeric]}",
            table=spec.name,
            line=raw.line,
            report=report.filename,
        )
    options = [forced] if forced is not None else list(combinations(blankable, missing))
    found: list[Candidate] = []
    first_error: ReportError | None = None
    typed_cleanly = False
    for blanks in options:
        cells = iter(raw.cells)
        values: dict[str, Value] = dict(raw.fixed)
        try:
            for fld in numeric:
                values[fld.name] = _zero(fld) if fld.name in blanks else typed(spec, fld, next(cells), raw.line, report)
        except ReportError as error:  # e.g. "Q300.00" placed in a count column: not this placement
            first_error = first_error or error
            continue
        typed_cleanly = True
        if forced is not None or all(_holds(r, values, spec) for r in rules):
            found.append(Candidate(tuple(blanks), values))
    if first_error and not typed_cleanly:
        raise first_error  # no placement reads the cells: a real bad number, say so
    return found


def _zero(fld: FieldSpec) -> Value:
    return 0 if fld.type == "integer" else Decimal(0).quantize(Decimal(1).scaleb(-(fld.decimals or 0)))


def _holds(rule: Rule, values: dict[str, Value], spec: TableSpec) -> bool:
    return rule.holds(values, spec.field(rule.target).decimals)


class OverBudget(Exception):
    """The joint choice needs more work than the series allows."""


def _choose(
    ambiguous: list[list[Candidate]], base: dict[str, Decimal], targets: dict[str, Decimal], budget: BlankBudget
) -> tuple[int, list[int]]:
    """How many joint choices (capped at 2) make the sums hit the targets, and one of them."""
    columns = [c for c in targets if any(len({cand.values[c] for cand in cands}) > 1 for cands in ambiguous)]
    start = tuple(base[c] for c in columns)
    goal = tuple(targets[c] for c in columns)
    states: dict[tuple[Decimal, ...], tuple[int, list[int]]] = {start: (1, [])}
    work = 0
    deadline = time.monotonic() + budget.seconds
    for cands in ambiguous:
        following: dict[tuple[Decimal, ...], tuple[int, list[int]]] = {}
        for state, (count, path) in states.items():
            work += len(cands)
            if work > budget.combinations or time.monotonic() > deadline:
                raise OverBudget
            for index, cand in enumerate(cands):
                nxt = tuple(s + Decimal(cand.values[c]) for s, c in zip(state, columns))
                if any(n > g for n, g in zip(nxt, goal)):
                    continue  # cells are never negative: this branch cannot reach the totals
                known = following.get(nxt)
                following[nxt] = (min(2, count + (known[0] if known else 0)), known[1] if known else [*path, index])
        states = following
    count, path = states.get(goal, (0, []))
    return count, path


def _reachable(
    ambiguous: list[list[Candidate]], base: dict[str, Decimal], targets: dict[str, Decimal]
) -> dict[str, Decimal]:
    """The targets each column can reach at all, whatever the placement.

    A column whose printed total lies outside every placement's range disagrees
    with its rows on its own (a misprinted total or cell): it cannot help place
    the blanks, and reconciliation records it as a discrepancy of that column.
    """
    kept = {}
    for column, goal in targets.items():
        low = base[column] + sum((min(Decimal(c.values[column]) for c in cands) for cands in ambiguous), Decimal(0))
        high = base[column] + sum((max(Decimal(c.values[column]) for c in cands) for cands in ambiguous), Decimal(0))
        if low <= goal <= high:
            kept[column] = goal
    return kept


def place_blanks(
    raw: RawTable, report: ReportText, corrections: dict[str, tuple[str, ...]], budget: BlankBudget = DEFAULT_BUDGET
) -> tuple[list[Row], list[PlacedCell]]:
    """Rows with every cell filled, and the record of each blank placed."""
    spec = raw.block.spec
    rules = [Rule.parse(r) for r in spec.rules]
    numeric = [f for f in spec.cell_fields if f.is_numeric]
    per_row: list[list[Candidate]] = []
    for row in raw.rows:
        if spec.layout == "pattern":
            per_row.append([Candidate((), dict(row.fixed))])
            continue
        cands = _candidates(spec, row, report, rules, corrections.get(row.label))
        if not cands and len(row.cells) == len(numeric):
            cands = _candidates(
                spec, row, report, [], None
            )  # complete row breaking a rule: a discrepancy, kept as printed
        per_row.append(cands)

    short = [i for i, row in enumerate(raw.rows) if len(per_row[i]) != 1 or per_row[i][0].blanks]
    open_rows = [i for i in short if len(per_row[i]) > 1]
    unsolvable = [i for i in short if not per_row[i]]
    why, culprit = "ninguna ubicación cumple las reglas de fila", None
    if not unsolvable and open_rows:
        if not raw.totals:
            unsolvable, why = open_rows, "el cuadro no tiene línea de totales con qué decidir"
        else:
            targets = {f.name: raw.totals[f.name] for f in spec.total_fields if f.name in raw.totals}
            base = {
                c: sum(
                    (Decimal(per_row[i][0].values[c]) for i in range(len(raw.rows)) if i not in open_rows), Decimal(0)
                )
                for c in targets
            }
            ambiguous = [per_row[i] for i in open_rows]
            reachable = _reachable(ambiguous, base, targets)
            try:
                count, path = _choose(ambiguous, base, reachable, budget)
                why = "más de una ubicación cumple" if count else "ninguna ubicación cumple"
                why += " las reglas de fila y los totales del cuadro"
            except OverBudget:
                count = 0
                why = (
                    f"la búsqueda pasó el límite declarado ({budget.combinations} combinaciones o "
                    f"{budget.seconds:g} s) sin decidir"
                )
            if count == 1:
                for i, choice in zip(open_rows, path):
                    per_row[i] = [per_row[i][choice]]
            else:
                unsolvable = open_rows
                off = [c for c in targets if c not in reachable]
                if off:
                    culprit = raw.totals_line
                    why += (
                        f"; además, las columnas {', '.join(off)} no llegan al total de la línea {culprit} en "
                        "ninguna ubicación: revise esa línea y las cifras de esas columnas"
                    )
    if unsolvable:
        labels = ", ".join(f"«{raw.rows[i].label}» (línea {raw.rows[i].line})" for i in unsolvable)
        raise ReportError(
            f"no se puede decidir dónde están las celdas vacías de {labels}: {why}. Revise el informe y declare las "
            f"celdas vacías en el archivo de correcciones «{report.path.stem}.correcciones.toml» junto al informe.",
            table=spec.name,
            line=culprit or raw.rows[unsolvable[0]].line,
            report=report.filename,
        )
    rows, placed = [], []
    for row, (cand,) in zip(raw.rows, per_row):
        rows.append(Row(values=cand.values, line=row.line, label=row.label, cells=row.cells))
        method = REVIEWED if row.label in corrections else DEDUCED
        for name in cand.blanks:
            value = cand.values[name]
            printed = value if isinstance(value, int) else format(value, "f")
            placed.append(PlacedCell(spec.name, row.label, name, printed, row.line, method))
    return rows, placed
