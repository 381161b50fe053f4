"""Plain data the parser hands to the package and graph writers."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pipelines.report.period import Period
from pipelines.report.text import ReportText
from pipelines.specs.model import SeriesSpec, TableSpec

Value = Any  # str | int | Decimal | datetime.date


@dataclass
class Row:
    """One data row: its typed values, the report line it came from and its printed label."""

    values: dict[str, Value]
    line: int
    label: str
    cells: list[str] = field(default_factory=list)
    """The numeric cells as printed, before blanks were placed."""


@dataclass
class Table:
    spec: TableSpec
    rows: list[Row]
    heading_line: int
    totals: dict[str, Decimal] | None = None
    totals_line: int | None = None
    source: str | None = None
    """The table's "Fuente: … con fecha …" line, as printed."""
    end_line: int = 0

    @property
    def name(self) -> str:
        return self.spec.name

    def column_sum(self, name: str) -> Decimal:
        return sum((Decimal(r.values[name]) for r in self.rows), Decimal(0))


@dataclass(frozen=True)
class PlacedCell:
    """A blank cell the parser filled with zero, and how it decided where it was."""

    recurso: str
    fila: str
    campo: str
    valor: int | str
    linea: int
    metodo: str
    """`reglas-y-totales` (deduced) or `correccion-revisada` (from the corrections file)."""


@dataclass(frozen=True)
class Discrepancy:
    """Where the report disagrees with itself. The published figures stay as printed."""

    recurso: str
    campo: str
    valor_declarado: str
    valor_calculado: str
    descripcion: str
    linea: int | None = None
    tipo: str = "fuente"
    """`aritmetica`: a printed row breaks its own table's rule (blocks publication in Dagster);
    `fuente`: a total, the prose or another table disagrees (published as printed, listed)."""


@dataclass
class ParsedReport:
    report: ReportText
    period: Period
    series: SeriesSpec
    tables: dict[str, Table]
    placed: list[PlacedCell] = field(default_factory=list)
    discrepancies: list[Discrepancy] = field(default_factory=list)
    checks: list[Any] = field(default_factory=list)
    """Every reconciliation made (`reconcile.Check`), agreeing or not."""

    @property
    def package_name(self) -> str:
        return f"{self.series.package_prefix}-{self.period.year}-{self.period.number}"
