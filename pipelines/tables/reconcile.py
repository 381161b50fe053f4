"""Check every stated total, percentage and repeated figure; record disagreements.

The report is published as printed: a figure that disagrees with another is
never altered, only listed in the quality report with both values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from pipelines.errors import ReportError
from pipelines.report.numbers import parse_number
from pipelines.report.text import ReportText
from pipelines.tables.expressions import Rule, evaluate
from pipelines.tables.model import Discrepancy, Table


@dataclass(frozen=True)
class Check:
    """A check made, for the quality report, the graph's quality measurement and Dagster metadata.

    A row rule is one check over all its rows (`comparaciones` of them); a
    totals column, a prose figure and a figure another table repeats are one
    comparison each. `cumplidas` of `comparaciones` held.
    """

    recurso: str
    descripcion: str
    resultado: str  # "coincide" | "discrepa" | "no-encontrado"
    tipo: str = "otro-cuadro"
    """`regla-de-fila`, `totales`, `texto` (the prose) or `otro-cuadro` (a figure another table repeats)."""
    comparaciones: int = 1
    cumplidas: int = 0
    expresion: str | None = None
    valor_declarado: str | None = None
    linea: int | None = None
    texto: str | None = None
    """How the report words the figure it compared (prose and cross-table checks)."""


def _outcome(held: int, made: int) -> str:
    return "coincide" if held == made else "discrepa"


def _fmt(value: Decimal | int) -> str:
    return format(Decimal(value).normalize(), "f") if Decimal(value) == Decimal(value).to_integral() else str(value)


def _summed_rows(table: Table) -> list:
    spec = table.spec
    if spec.totals is None or spec.totals.rows == "all":
        return table.rows
    group_field = spec.groups.field if spec.groups else None
    seen: set[str] = set()
    firsts = []
    for row in table.rows:
        group = row.values.get(group_field)
        if group not in seen and group not in spec.totals.exclude_groups:
            firsts.append(row)
        seen.add(group)
    return firsts


def column_sums(table: Table) -> dict[str, Decimal]:
    rows = _summed_rows(table)
    return {f.name: sum((Decimal(r.values[f.name]) for r in rows), Decimal(0)) for f in table.spec.fields if f.total}


def check_rows(table: Table) -> tuple[list[Discrepancy], list[Check]]:
    """Row rules on every printed row, and on the totals line."""
    found, checks = [], []
    for text in table.spec.rules:
        rule = Rule.parse(text)
        decimals = table.spec.field(rule.target).decimals
        lines = [(r.label, r.values, r.line) for r in table.rows]
        if table.totals and rule.fields <= set(table.totals):
            lines.append((table.spec.totals.label, table.totals, table.totals_line))  # type: ignore[union-attr]
        held = 0
        for label, values, line in lines:
            if rule.holds(values, decimals):
                held += 1
                continue
            found.append(
                Discrepancy(
                    table.name,
                    rule.target,
                    _fmt(values[rule.target]),
                    rule.expected_text(values, decimals),
                    f"Fila «{label}»: no se cumple {rule.text}",
                    line,
                    tipo="aritmetica",
                )
            )
        checks.append(
            Check(
                table.name,
                f"Regla de fila {rule.text}",
                _outcome(held, len(lines)),
                "regla-de-fila",
                len(lines),
                held,
                rule.text,
            )
        )
    return found, checks


def check_totals(table: Table) -> tuple[list[Discrepancy], list[Check]]:
    if not table.totals:
        return [], []
    found, checks = [], []
    label = table.spec.totals.label  # type: ignore[union-attr]
    for name, computed in column_sums(table).items():
        stated = table.totals.get(name)
        if stated is None:
            continue
        agrees = stated == computed
        checks.append(
            Check(
                table.name,
                f"La línea «{label}» es la suma de la columna {name}",
                _outcome(agrees, 1),
                "totales",
                1,
                int(agrees),
                name,
                _fmt(stated),
                table.totals_line,
            )
        )
        if not agrees:
            found.append(
                Discrepancy(
                    table.name,
                    name,
                    _fmt(stated),
                    _fmt(computed),
                    f"La línea «{label}» declara {_fmt(stated)} pero la suma de las filas es {_fmt(computed)}",
                    table.totals_line,
                )
            )
    return found, checks


Stated = tuple[Decimal, str, int | None] | None
"""A figure found elsewhere: its value, how the report words it, and its line."""


def _compare(
    table: Table,
    description: str,
    expression: str,
    stated: Stated,
    found: list[Discrepancy],
    checks: list[Check],
    kind: str,
) -> None:
    """Compare one stated figure with the table's own; record the check and any disagreement."""
    if stated is None:
        # A check that cannot be made is itself a finding: the figure it needed is gone or reworded.
        checks.append(Check(table.name, description, "no-encontrado", kind, 1, 0, expression))
        found.append(
            Discrepancy(
                table.name,
                expression,
                "no encontrado",
                _fmt(evaluate(expression, column_sums(table))),
                f"{description}: el informe no declara la cifra con la que comparar",
                None,
            )
        )
        return
    value, wording, line = stated
    computed = evaluate(expression, column_sums(table))
    agrees = value == computed
    checks.append(
        Check(
            table.name, description, _outcome(agrees, 1), kind, 1, int(agrees), expression, _fmt(value), line, wording
        )
    )
    if not agrees:
        found.append(
            Discrepancy(
                table.name,
                expression,
                _fmt(value),
                _fmt(computed),
                f"{description}: {wording}, y las filas del cuadro suman {_fmt(computed)}",
                line,
            )
        )


def check_narrative(table: Table, report: ReportText, until: int) -> tuple[list[Discrepancy], list[Check]]:
    """Figures the prose after the table states ("LOGROS INSTITUCIONALES")."""
    start = table.end_line + 1
    prose = " ".join(" ".join(report.line(n).split()) for n in range(start, until))
    found: list[Discrepancy] = []
    checks: list[Check] = []
    for claim in table.spec.narrative:
        match = re.search(claim.pattern, prose)
        stated: Stated = None
        if match:
            line = next((n for n in range(start, until) if match.group(1) in report.line(n)), None)
            value = sum((parse_number(g) for g in match.groups()), Decimal(0))
            stated = (value, f"el texto dice «{match.group(0)}»", line)
        _compare(table, claim.description, claim.expression, stated, found, checks, "texto")
    return found, checks


def check_cross(table: Table, tables: dict[str, Table]) -> tuple[list[Discrepancy], list[Check]]:
    """Figures another table must repeat (department tables vs physical targets, budget tables)."""
    found: list[Discrepancy] = []
    checks: list[Check] = []
    for cross in table.spec.cross_checks:
        other = tables[cross.resource]
        if cross.match_field:
            prefix = cross.match_prefix or ""
            row = next((r for r in other.rows if str(r.values[cross.match_field]).startswith(prefix)), None)
            if row is None:
                raise ReportError(
                    f"falta la fila que empieza «{prefix}» en el cuadro «{cross.resource}»; se necesita para "
                    f"comprobar: {cross.description}",
                    table=cross.resource,
                    line=other.heading_line,
                )
            value, line = row.values[cross.field], row.line
        else:
            value, line = (other.totals or {}).get(cross.field), other.totals_line
        stated: Stated = None
        if value is not None:
            stated = (Decimal(value), f"«{cross.resource}» dice {_fmt(value)}", line)
        _compare(table, cross.description, cross.expression, stated, found, checks, "otro-cuadro")
    return found, checks
