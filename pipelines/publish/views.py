"""The views each DataStore table gets on the portal: a table view first, then the declared charts.

Charts are declared with the table descriptions (`[[charts]]` in `pipelines/specs/<serie>/tablas/*.toml`,
see `pipelines.specs.model.ChartSpec`) and the package writer copies them into each table resource of
datapackage.json (`graficos`): the publisher reads only the package.

Views are ckanext-charts' `charts_view` (engines: Chart.js for grouped bars, ECharts for one bar per
row, Plotly for stacked bars and points) and CKAN's `datatables_view`. A view is ours when its
description ends with `MARK`; it is matched by title. Views an administrator adds are left alone.
"""

from __future__ import annotations

from typing import Any

from pipelines.publish.errors import PackageError
from pipelines.publish.tables import PERIOD_FIELD, ROW_FIELD, Table
from pipelines.specs.model import ChartSpec

MARK = "Vista creada por el publicador de rendición abierta."
TABLE_VIEW_TITLE = "Tabla"
UNITS = {"GTQ": "Quetzales", "porcentaje": "Porcentaje"}


def _chart(declared: object, resource: dict[str, Any]) -> ChartSpec:
    """One entry of a table resource's `graficos`, checked as the table descriptions are (ChartSpec.problem)."""
    where = f"cuadro «{resource.get('name')}»: datapackage.json, «graficos»"
    keys = ("titulo", "tipo", "categoria", "valores", "serie", "grupo")
    title, kind, category, values, serie, group = (
        (declared.get(k) for k in keys) if isinstance(declared, dict) else [None] * 6
    )
    if not (
        isinstance(title, str)
        and title.strip()
        and isinstance(kind, str)
        and isinstance(category, str)
        and isinstance(values, list)
        and all(isinstance(v, str) for v in values)
        and (serie is None or isinstance(serie, bool))
        and (group is None or isinstance(group, str))
    ):
        raise PackageError(
            f"{where}: cada gráfico necesita «titulo», «tipo» y «categoria» (texto) y «valores» (lista de "
            "campos); «serie» es sí/no y «grupo», texto"
        )
    chart = ChartSpec(title, kind, category, tuple(values), bool(serie), group)  # type: ignore[arg-type]
    schema = resource.get("schema") if isinstance(resource.get("schema"), dict) else {}
    fields = {f.get("name") for f in schema.get("fields", []) if isinstance(f, dict)}
    problem = chart.problem(fields)
    if problem:
        raise PackageError(f"{where}: el gráfico «{title}» no es válido: {problem}")
    return chart


def _charts(descriptor: dict[str, Any], table: str, serie: bool) -> list[ChartSpec]:
    """The charts the package declares for one of its tables (on the report's dataset or on the series')."""
    resource = next((r for r in descriptor.get("resources", []) if r.get("name") == table), {})
    return [chart for chart in check_charts(resource) if chart.serie == serie]


def check_charts(resource: dict[str, Any]) -> list[ChartSpec]:
    """A table resource's declared charts; PackageError (before any request) if one is malformed."""
    declared = resource.get("graficos", [])
    if not isinstance(declared, list):
        raise PackageError(f"cuadro «{resource.get('name')}»: datapackage.json, «graficos» no es una lista")
    return [_chart(chart, resource) for chart in declared]


def series_tables(descriptor: dict[str, Any]) -> set[str]:
    """The package's resources that are tables of its series (each gets a series dataset)."""
    return {r["name"] for r in descriptor.get("resources", []) if "graficos" in r}


def _label(table: Table, name: str) -> str:
    if name == PERIOD_FIELD:
        return "Período"
    if name == ROW_FIELD:
        return "Fila"
    for f in table.fields:
        if f["id"] == name:
            return f["info"]["label"]
    return name


def _value_label(table: Table, values: tuple[str, ...], units: dict[str, str]) -> str:
    shared = {units.get(v) for v in values}
    if len(values) > 1 and len(shared) == 1 and None not in shared:
        unit = shared.pop()
        return UNITS.get(unit, unit)
    return " / ".join(_label(table, v) for v in values)


def table_view(what: str) -> dict[str, Any]:
    return {
        "view_type": "datatables_view",
        "title": TABLE_VIEW_TITLE,
        "description": f"Todas las filas de {what}: ordene por columna, busque y filtre. {MARK}",
    }


def chart_view(chart: Any, table: Table, units: dict[str, str]) -> dict[str, Any]:
    """One declared chart as a charts_view configuration."""
    common = {
        "view_type": "charts_view",
        "title": chart.title,
        "description": f"{chart.title}. Datos: la tabla de este recurso en el DataStore. {MARK}",
    }
    x_label, y_label = _label(table, chart.category), _value_label(table, chart.values, units)
    if chart.kind == "barras":
        if not chart.serie:
            seen = [r.get(chart.category) for r in table.records]
            if len(set(seen)) != len(seen):
                raise PackageError(
                    f"cuadro «{table.name}»: el gráfico «{chart.title}» (barras) necesita que "
                    f"«{chart.category}» no se repita; use barras-por-fila o barras-apiladas"
                )
        settings = {
            "engine": "chartjs",
            "type": "Bar",
            "x": chart.category,
            "y": list(chart.values),
            "chart_title": chart.title,
            "x_axis_label": x_label,
            "y_axis_label": y_label,
        }
    elif chart.kind == "barras-por-fila":
        settings = {"engine": "echarts", "type": "Bar", "x": chart.category, "y": chart.values[0]}
    elif chart.kind == "barras-apiladas":
        settings = {
            "engine": "plotly",
            "type": "Bar",
            "x": chart.category,
            "y": chart.values[0],
            "color": chart.group,
            "sort_x": True,
            "chart_title": chart.title,
            "x_axis_label": x_label,
            "y_axis_label": y_label,
        }
    else:  # puntos
        settings = {
            "engine": "plotly",
            "type": "Scatter",
            "x": chart.category,
            "y": chart.values[0],
            "size": chart.values[0],
            "size_max": 14,
            "sort_x": True,
            "chart_title": chart.title,
            "x_axis_label": x_label,
            "y_axis_label": y_label,
            **({"color": chart.group} if chart.group else {}),
        }
    return {**common, **settings, "limit": 1000}


def units_of(resource: dict[str, Any]) -> dict[str, str]:
    return {f["name"]: f.get("unidad") for f in (resource.get("schema") or {}).get("fields", []) if f.get("unidad")}


def report_views(descriptor: dict[str, Any], resource: dict[str, Any], table: Table) -> list[dict[str, Any]]:
    """The table view, then the report's charts of this table."""
    what = f"«{resource.get('title') or table.name}»"
    return [table_view(what)] + [
        chart_view(c, table, units_of(resource)) for c in _charts(descriptor, table.name, serie=False)
    ]


def series_views(descriptor: dict[str, Any], resource: dict[str, Any], table: Table) -> list[dict[str, Any]]:
    """The series' table view, then its charts over the periods."""
    what = f"«{resource.get('title') or table.name}» en todos los períodos publicados"
    return [table_view(what)] + [
        chart_view(c, table, units_of(resource)) for c in _charts(descriptor, table.name, serie=True)
    ]


def same_view(current: dict[str, Any], desired: dict[str, Any]) -> bool:
    """Every setting we send equals the portal's (the portal adds its defaults; those are not ours)."""
    return all(current.get(k) == v for k, v in desired.items())


def is_ours(view: dict[str, Any]) -> bool:
    return str(view.get("description") or "").endswith(MARK)
