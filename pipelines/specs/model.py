"""What a table description says, as typed objects.

A description is data (a TOML file under `pipelines/specs/<series>/`); these
classes only give it names and types. The parser, the Table Schema writer, the
RDF mapping and the docs all read the same objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

FieldSource = Literal["cell", "label", "department_code", "department_name", "group", "column"]
Layout = Literal["rows", "columns", "pattern"]


@dataclass(frozen=True)
class FieldSpec:
    """One column of a published table."""

    name: str
    title: str
    description: str
    type: Literal["string", "integer", "number", "date"]
    source: FieldSource = "cell"
    unit: str | None = None
    decimals: int | None = None
    blank: bool = False
    """May the PDF leave this cell out when it is zero?"""
    total: bool = False
    """Does the table's totals line sum this column?"""
    budget_phase: str | None = None
    """OpenBudgets.eu budget phase (approved, revised, executed) of a money column."""
    sexo: str | None = None
    pueblo: str | None = None
    column_key: str | None = None
    """For `columns` layouts: which key of the column labels fills this field."""

    @property
    def is_numeric(self) -> bool:
        return self.type in ("integer", "number")


@dataclass(frozen=True)
class RowLabel:
    """`columns` layout: a printed row label and the field it fills."""

    label: str
    field: str


@dataclass(frozen=True)
class GroupValue:
    printed: str
    value: str
    program: str | None = None


@dataclass(frozen=True)
class Groups:
    """Section lines inside a table ("DIRECCIÓN DE …") that label the rows below them."""

    field: str
    pattern: str
    default: str
    known: tuple[GroupValue, ...] = ()
    first_row_heads: bool = False
    """The first row of a group is its head (a product; the rest are its subproducts): it may
    repeat a later row's text without being a duplicate."""


@dataclass(frozen=True)
class DateWindow:
    """Where a table's dates may fall, counted from the report's period."""

    days_before: int = 0
    """How long before the period's first day a date may be (a shelter opened last year)."""
    days_after: int = 0
    """How long after the period's last day (0: the report speaks of a past period)."""


@dataclass(frozen=True)
class Totals:
    label: str
    rows: Literal["all", "first_of_each_group"] = "all"
    exclude_groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class NarrativeClaim:
    """A figure the report's prose states, to check against the table."""

    pattern: str
    expression: str
    description: str


@dataclass(frozen=True)
class CrossCheck:
    """A figure of this table that another table must repeat."""

    description: str
    expression: str
    resource: str
    field: str
    match_field: str | None = None
    match_prefix: str | None = None
    """Row of the other table whose `match_field` starts with this; none → its totals."""


ChartKind = Literal["barras", "barras-por-fila", "barras-apiladas", "puntos"]
CHART_KINDS: tuple[ChartKind, ...] = ("barras", "barras-por-fila", "barras-apiladas", "puntos")
PERIOD_FIELD = "periodo"  # a series' table: the period key of each row (e.g. 2021-C1)
ROW_FIELD = "fila"  # a series of a table without a primary key: the row's position in its period's CSV
SERIES_COLUMNS = (PERIOD_FIELD, ROW_FIELD)  # what a series' table adds to the report's


@dataclass(frozen=True)
class ChartSpec:
    """A chart the portal shows for the table (a chart view of its DataStore table).

    `barras`: one group of bars per category, one bar per value (each category must appear once in
    the table: the publisher checks it); `barras-por-fila`: one bar per row for a single value (the
    category may repeat); `barras-apiladas`: one bar per category value, stacked by `group` (its
    height is the sum of the rows that share the category: for counts and amounts that add up);
    `puntos`: one point per row for a single value, coloured by `group` (values that do not add up,
    such as percentages, over periods). With `serie = true` the chart is drawn on the series dataset,
    whose table adds `periodo` (and `fila` when the table has no primary key).
    """

    title: str
    kind: ChartKind
    category: str
    values: tuple[str, ...]
    serie: bool = False
    group: str | None = None

    def problem(self, fields: set[str]) -> str | None:
        """What is wrong with this declaration over a table with `fields` (None: nothing). The table
        descriptions are checked with it when they load, the packages' `graficos` before a publish."""
        known = fields | (set(SERIES_COLUMNS) if self.serie else set())
        unknown = [name for name in (self.category, *self.values, self.group) if name and name not in known]
        if self.kind not in CHART_KINDS:
            return f"kind must be one of {', '.join(CHART_KINDS)}"
        if unknown or not self.values:
            return f"unknown fields {unknown}" if unknown else "values is empty"
        if self.kind == "barras-apiladas" and not self.group:
            return 'kind = "barras-apiladas" needs «group» (what the bars are stacked by)'
        if self.group and self.kind not in ("barras-apiladas", "puntos"):
            return '«group» goes with kind = "barras-apiladas" or "puntos"'
        if self.kind != "barras" and len(self.values) != 1:
            return f'kind = "{self.kind}" draws one value'
        if self.kind == "barras" and self.serie:
            return 'in a series each category repeats once per period: use "barras-apiladas" or "puntos"'
        return None


@dataclass(frozen=True)
class TableSpec:
    name: str
    title: str
    description: str
    heading: str
    layout: Layout
    fields: tuple[FieldSpec, ...]
    order: int = 0
    program: str | None = None
    header_end: str | None = None
    totals: Totals | None = None
    rules: tuple[str, ...] = ()
    primary_key: tuple[str, ...] = ()
    groups: Groups | None = None
    row_pattern: str | None = None
    row_labels: tuple[RowLabel, ...] = ()
    columns: tuple[dict[str, str], ...] = ()
    note: str | None = None
    narrative: tuple[NarrativeClaim, ...] = ()
    cross_checks: tuple[CrossCheck, ...] = ()
    known_labels: tuple[str, ...] = ()
    """The row labels the series knows (activities, targets), in their published spelling; a
    label that matches none, even ignoring case and accents, is refused with the closest."""
    date_window: DateWindow | None = None
    """Every date of the table must fall in this window around the period."""
    date_order: tuple[str, ...] = ()
    """Date fields that must not decrease along a row (start before end)."""
    charts: tuple[ChartSpec, ...] = ()
    """Charts the portal shows: on the report's table, or (`serie = true`) on the series' table."""
    extra: dict[str, object] = field(default_factory=dict)

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name}: no field {name!r}")

    @property
    def cell_fields(self) -> tuple[FieldSpec, ...]:
        """Fields read from numeric cells, in printed order."""
        return tuple(f for f in self.fields if f.source == "cell")

    @property
    def total_fields(self) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.total)

    @property
    def has_departments(self) -> bool:
        return any(f.source == "department_code" for f in self.fields)


@dataclass(frozen=True)
class BlankBudget:
    """How much work placing a table's blank cells may take before the build gives up.

    The joint choice across rows is a search over column sums; a table printed
    with most cells missing makes it explode. Past the budget the report is
    refused (naming the rows) and a person settles them in the corrections file.
    """

    combinations: int = 200_000
    """Partial sums the search may hold and extend, all rows together."""
    seconds: float = 2.0


@dataclass(frozen=True)
class SeriesSpec:
    """A report series: who publishes it, how packages are named, its tables in order."""

    key: str
    publisher: str
    publisher_name: str
    publisher_url: str
    package_prefix: str
    title: str
    description: str
    license_name: str
    license_title: str
    license_url: str
    programs: tuple[dict[str, str], ...]
    tables: tuple[TableSpec, ...]
    detection: tuple[str, ...]
    """Regular expressions (case-insensitive) a report's text must all contain to belong to the series."""
    keywords: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    """EU data-theme codes (GOVE, SOCI, …) for the catalog."""
    publisher_type: str = "NationalAuthority"
    """ADMS publisher type code."""
    graph_description: str = ""
    """How the package's graph describes itself (its DCAT distribution)."""
    blank_budget: BlankBudget = field(default_factory=lambda: BlankBudget())
    folder: Path | None = None
    """Where the description lives; its `vocabulario.ttl`, if any, is the series' own vocabulary."""

    @property
    def vocabulary(self) -> Path | None:
        """The series' vocabulary (programs' English labels, definitions, editorial notes), if it has one."""
        path = self.folder / "vocabulario.ttl" if self.folder else None
        return path if path and path.is_file() else None

    def table(self, name: str) -> TableSpec:
        for t in self.tables:
            if t.name == name:
                return t
        raise KeyError(name)
