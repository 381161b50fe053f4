"""Load the declarative table descriptions (TOML) into typed specs.

Adding a table to a series is adding a TOML file under
`pipelines/specs/<series>/tablas/`; nothing here needs to change.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipelines.errors import ReportError
from pipelines.paths import SPECS_DIR
from pipelines.report.text import ReportText
from pipelines.specs.model import (
    BlankBudget,
    ChartSpec,
    CrossCheck,
    DateWindow,
    FieldSpec,
    Groups,
    GroupValue,
    NarrativeClaim,
    RowLabel,
    SeriesSpec,
    TableSpec,
    Totals,
)

__all__ = ["ChartSpec", "FieldSpec", "SeriesSpec", "TableSpec", "detect_series", "load_series", "series_keys"]

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
        **{
            k: v
            for k, v in raw.items()
            if k
            not in (
                "fields",
                "rules",
                "primary_key",
                "row_labels",
                "columns",
                "narrative",
                "cross_checks",
                "known_labels",
                "date_window",
                "date_order",
                "charts",
            )
        },
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
        charts=_charts(raw, path.name),
    )


def _charts(raw: dict[str, Any], where: str) -> tuple[ChartSpec, ...]:
    """The table's chart declarations, checked against its fields (a misspelt field fails here)."""
    fields = {f.get("name") or f.get("use") for f in raw.get("fields", ())}
    charts = []
    for number, chart in enumerate(raw.get("charts", ()), start=1):
        spec = ChartSpec(**{**chart, "values": tuple(chart.get("values", ()))})
        problem = spec.problem(fields)
        if problem:
            raise ValueError(f"{where}: charts[{number}] «{spec.title}»: {problem}")
        charts.append(spec)
    return tuple(charts)


SERIES_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@lru_cache(maxsize=32)
def load_series(key: str = DEFAULT_SERIES, root: Path = SPECS_DIR) -> SeriesSpec:
    """The series description and its tables, in the order the report prints them."""
    folder = root / key
    raw = tomllib.loads((folder / "serie.toml").read_text(encoding="utf-8"))
    if raw.get("key") != key or not SERIES_KEY.match(key):
        raise ValueError(
            f"{folder}/serie.toml: key must be the folder's name in lower-case words, got {raw.get('key')!r}"
        )
    if not str(raw.get("package_prefix", "")).startswith(f"{key}-"):
        raise ValueError(
            f"{folder}/serie.toml: package_prefix must start with '{key}-' so package names name the series"
        )
    shared = {f["name"]: f for f in raw.pop("shared_fields", ())}
    paths = sorted((folder / "tablas").glob("*.toml"))
    tables = tuple(_table(p, i, shared) for i, p in enumerate(paths))
    programs = tuple(raw.pop("programs", ()))
    budget = BlankBudget(**raw.pop("blank_budget", {}))
    detection = tuple(raw.pop("detection", {}).get("all", ()))
    if not detection:
        raise ValueError(f"{folder}/serie.toml: [detection] all = [...] must name what identifies its reports")
    lists = {name: tuple(raw.pop(name, ())) for name in ("keywords", "themes")}
    return SeriesSpec(
        **raw, **lists, programs=programs, tables=tables, blank_budget=budget, detection=detection, folder=folder
    )


def series_keys(root: Path = SPECS_DIR) -> tuple[str, ...]:
    """Every series described under `root` (a folder with a `serie.toml`)."""
    return tuple(sorted(p.parent.name for p in root.glob("*/serie.toml")))


def detect_series(report: ReportText, root: Path = SPECS_DIR) -> SeriesSpec:
    """The one series whose detection rule the report's own text satisfies.

    None or several is an error naming the candidates: filing a report under a
    guessed institution would publish its figures under another's name.
    """
    text = " ".join(" ".join(line.split()) for line in report.lines)
    candidates = [load_series(key, root) for key in series_keys(root)]
    matching = [s for s in candidates if all(re.search(rule, text, re.IGNORECASE) for rule in s.detection)]
    if len(matching) == 1:
        return matching[0]
    if matching:
        raise ReportError(
            "el informe cumple la regla de detección de varias series: "
            + ", ".join(s.key for s in matching)
            + "; afine [detection] en sus serie.toml",
            report=report.filename,
        )
    known = "; ".join(
        f"{s.key} ({s.publisher_name}) busca " + ", ".join(f"«{r}»" for r in s.detection) for s in candidates
    )
    raise ReportError(
        f"el informe no corresponde a ninguna serie conocida: {known or 'no hay series en ' + str(root)}",
        report=report.filename,
    )
