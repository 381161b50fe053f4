"""Load the declarative table descriptions (TOML) into typed specs.

Adding a table to a series is adding a TOML file under
`pipelines/specs/<series>/tablas/`; nothing here needs to change.
"""

from __future__ import annotations

import dataclasses
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipelines.paths import SPECS_DIR
from pipelines.specs.model import (
    BlankBudget,
    CrossCheck,
    DateWindow,
    FieldSpec,
    GroupValue,
    Groups,
    NarrativeClaim,
    RowLabel,
    SeriesSpec,
    TableSpec,
    Totals,
)

__all__ = ["FieldSpec", "SeriesSpec", "TableSpec", "load_series"]

DEFAULT_SERIES = "sosep"


def _field(raw: dict[str, Any], shared: dict[str, dict[str, Any]], where: str) -> FieldSpec:
    """A field, expanding `use = "name"` from the series' shared fields."""
    raw = dict(raw)
    if "use" in raw:
        name = raw.pop("use")
        if name not in shared:
            raise ValueError(f"{where}: unknown shared field {name!r}")
        raw = {**shared[name], **raw}
    return FieldSpec(**raw)


def _table(path: Path, order: int, shared: dict[str, dict[str, Any]]) -> TableSpec:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    known = {f.name for f in dataclasses.fields(TableSpec)}
    unknown = set(raw) - known
    if unknown:
        raise ValueError(f"{path.name}: unknown keys {sorted(unknown)}")
    groups = raw.pop("groups", None)
    totals = raw.pop("totals", None)
    return TableSpec(
        **{k: v for k, v in raw.items() if k not in ("fields", "rules", "primary_key", "row_labels",
                                                      "columns", "narrative", "cross_checks",
                                                      "known_labels", "date_window", "date_order")},
        order=order,
        fields=tuple(_field(f, shared, path.name) for f in raw["fields"]),
        rules=tuple(raw.get("rules", ())),
        primary_key=tuple(raw.get("primary_key", ())),
        row_labels=tuple(RowLabel(**r) for r in raw.get("row_labels", ())),
        columns=tuple(raw.get("columns", ())),
        totals=Totals(**{**totals, "exclude_groups": tuple(totals.get("exclude_groups", ()))}) if totals else None,
        groups=Groups(**{**groups, "known": tuple(GroupValue(**g) for g in groups.get("known", ()))})
        if groups
        else None,
        narrative=tuple(NarrativeClaim(**n) for n in raw.get("narrative", ())),
        cross_checks=tuple(CrossCheck(**c) for c in raw.get("cross_checks", ())),
        known_labels=tuple(raw.get("known_labels", ())),
        date_window=DateWindow(**raw["date_window"]) if "date_window" in raw else None,
        date_order=tuple(raw.get("date_order", ())),
    )


@lru_cache(maxsize=8)
def load_series(key: str = DEFAULT_SERIES, root: Path = SPECS_DIR) -> SeriesSpec:
    """The series description and its tables, in the order the report prints them."""
    folder = root / key
    raw = tomllib.loads((folder / "serie.toml").read_text(encoding="utf-8"))
    shared = {f["name"]: f for f in raw.pop("shared_fields", ())}
    paths = sorted((folder / "tablas").glob("*.toml"))
    tables = tuple(_table(p, i, shared) for i, p in enumerate(paths))
    programs = tuple(raw.pop("programs", ()))
    budget = BlankBudget(**raw.pop("blank_budget", {}))
    return SeriesSpec(**raw, programs=programs, tables=tables, blank_budget=budget)
