"""Is a period's report plausible against the previous period's? (No Dagster here.)

A column total that grows or shrinks tenfold from one four-month period to the
next is far more often a misread figure (a lost decimal point, a dropped digit)
than a real change, so it is flagged before publication for a person to confirm.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pipelines.tables.model import ParsedReport
from pipelines.tables.reconcile import column_sums

JUMP_FACTOR = Decimal(10)


@dataclass(frozen=True)
class Change:
    """One column total in both periods and how many times larger (or smaller) it became."""

    recurso: str
    campo: str
    anterior: Decimal
    actual: Decimal

    @property
    def factor(self) -> Decimal:
        """≥ 1 either way: 10 means ten times larger or ten times smaller."""
        high, low = max(self.anterior, self.actual), min(self.anterior, self.actual)
        return (high / low).quantize(Decimal("0.01"))


def compare_periods(current: ParsedReport, previous: ParsedReport) -> list[Change]:
    """Every column total present and non-zero in both periods, same table and column."""
    changes = []
    for name, table in current.tables.items():
        before = previous.tables.get(name)
        if before is None:
            continue
        then = column_sums(before)
        for column, now in column_sums(table).items():
            if then.get(column, 0) > 0 and now > 0:
                changes.append(Change(name, column, then[column], now))
    return changes


def jumps(changes: list[Change], factor: Decimal = JUMP_FACTOR) -> list[Change]:
    """The changes of at least `factor` times, up or down."""
    return [c for c in changes if c.factor >= factor]
