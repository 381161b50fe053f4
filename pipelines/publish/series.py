"""The series datasets: one per report table, holding the rows of every published period (`periodo` column).

What each holds (dataset and resource metadata: the same publisher, license and catalogue fields as the
reports) and the plan for this package's period in it, as plain data. `apply.py` writes it. Apart
from the report dataset's plan (`plan.py`) because it is a job of its own: another dataset per table,
shared by every period, whose rows the publisher upserts by (periodo, key).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pipelines.publish import metadata, views
from pipelines.publish.local import GUIDE_KEY, LocalPackage
from pipelines.publish.steps import (
    CREATE,
    DATA_FIELD,
    PERIODS_FIELD,
    UNCHANGED,
    UPDATE,
    VIEWS_FIELD,
    PortalState,
    Step,
    activation,
    dataset_step,
    guide_link,
    is_open,
    same,
)
from pipelines.publish.tables import Table, fingerprint, series_fields, series_key

SERIES_KEY_PREFIX = "serie:"


def series_name(pkg: LocalPackage, table: str, prefix: str | None = None) -> str:
    """`<serie>-serie-<table>`, e.g. sosep-serie-hogares-comunitarios (`prefix` replaces the series key)."""
    series = prefix or metadata.series_of(pkg.descriptor).get("clave") or metadata.organization(pkg)["name"]
    return f"{series}-serie-{table}"


def series_dataset(
    pkg: LocalPackage,
    org: dict[str, str],
    resource: dict[str, Any],
    guide_url: str | None = None,
    prefix: str | None = None,
) -> dict[str, Any]:
    """The series dataset of one table: the same publisher, license and catalogue fields as the reports."""
    d = pkg.descriptor
    name = series_name(pkg, resource["name"], prefix)
    title = resource.get("title") or resource["name"]
    series_title = metadata.series_of(d).get("titulo") or d.get("title", "")
    license, _ = metadata.license_id(pkg)
    program = resource.get("programa")
    lines = [
        f"{resource.get('description', '')}".strip(),
        "",
        f"Todos los períodos publicados del cuadro «{title}» del {series_title}, en una sola tabla del "
        "DataStore con la columna `periodo` (p. ej. `2021-C1`, primer cuatrimestre de 2021). Cada "
        "publicación de un informe añade o reemplaza solo las filas de su período; las cifras son las "
        "del informe de cada período, tal como se imprimieron (su calidad se documenta en el conjunto "
        "de datos de cada informe).",
        "",
        *metadata.guide_section(guide_url),
    ]
    extras = {k: v for k, v in extras_for_series(pkg, org).items()}
    extras["identifier"] = name
    return {
        "name": name,
        "title": f"{title}: serie por período",
        "notes": "\n".join(lines).strip() + "\n",
        "license_id": license,
        "version": "",
        "url": d.get("homepage", ""),
        "owner_org": org["name"],
        "tags": metadata.tags(pkg),
        "groups": [f"{org['name']}-{program}"] if program else [],
        "extras": extras,
    }


def extras_for_series(pkg: LocalPackage, org: dict[str, str]) -> dict[str, str]:
    """The report's catalogue extras that hold for every period (not its dates, source or version)."""
    period_bound = {
        "temporal_start",
        "temporal_end",
        "periodo",
        "informe_fuente",
        "informe_fuente_sha256",
        "provenance",
        "conforms_to",
    }
    found = {k: v for k, v in metadata.extras(pkg, org).items() if k not in period_bound}
    found["provenance"] = (
        "Filas de los cuadros publicados en los conjuntos de datos de cada informe cuatrimestral "
        "de la serie, con la clave de su período; ver la procedencia de cada informe allí."
    )
    return found


def series_resource(pkg: LocalPackage, resource: dict[str, Any]) -> dict[str, str]:
    """The series' DataStore resource (no file: the portal serves its CSV from the DataStore)."""
    title = resource.get("title") or resource["name"]
    return {
        metadata.KEY_FIELD: SERIES_KEY_PREFIX + resource["name"],
        "name": f"{title} (todos los períodos)",
        "description": "Una fila por fila del cuadro y período publicado; `periodo` y la clave del cuadro "
        "identifican cada fila. Descarga en CSV desde esta página (DataStore).",
        "format": "CSV",
        "language": metadata.LANGUAGE,
    }


def series_guide(pkg: LocalPackage, guide_url: str) -> dict[str, str]:
    """The series' guide: a link to the one uploaded with the report (same file, same fields), not a copy.

    Each series dataset uploading its own copy cost a call and a file per table on every cold publish;
    the guide is the same document in every package, so the series link the latest report's.
    """
    guide = pkg.file(GUIDE_KEY)
    return {**metadata.resource(guide, pkg, None, guide_url), "url": guide_url, "url_type": ""}


@dataclass(frozen=True)
class SeriesStep:
    """The series dataset of one table: its dataset, its DataStore table and this package's period in it."""

    table: str  # the package resource (table) name
    dataset: Step  # CREATE / UPDATE / UNCHANGED, with its payload
    activation: dict[str, Any] | None
    resource_id: str | None  # the series' DataStore resource, None if it must be created
    resource_fields: dict[str, str]  # its metadata, when it differs (patched)
    schema: bool  # the table's fields (types, dictionary, key) differ from the series'
    period: str  # the period key
    rows: bool  # this period's rows must be upserted
    count: int
    views: bool
    guide: Step | None  # the guide's resource (CREATE / UPDATE / UNCHANGED)
    done: dict[str, str]  # fingerprints patched on the resource at the end
    reorder: bool = False
    dataset_id: str | None = None  # the portal's id of the series dataset, when it exists
    # The DataStore resource is created in this run in a series dataset not open yet: its fingerprints
    # go with its creation (see plan.TableStep.early for why that is safe).
    early: bool = False
    # The series dataset is not open yet and its resource says its table is there: a run checks that it
    # is (datastore_info) before trusting it, since a new series dataset is created with the mark set.
    check: bool = False

    @property
    def name(self) -> str:
        return self.dataset.key

    @property
    def changes(self) -> bool:
        return (
            self.dataset.action != UNCHANGED
            or self.activation is not None
            or self.resource_id is None
            or bool(self.resource_fields)
            or self.schema
            or self.rows
            or self.views
            or self.reorder
            or self.check
            or (self.guide is not None and self.guide.action != UNCHANGED)
        )

    def line(self) -> str:
        if not self.changes:
            return f"serie {self.name}: sin cambios"
        parts = []
        if self.dataset.action == CREATE:
            parts.append("crear el conjunto")
        elif self.dataset.action == UPDATE:
            parts.append(f"actualizar ({', '.join(self.dataset.fields)})")
        if self.resource_id is None:
            parts.append("crear su tabla en el DataStore")
        elif self.schema:
            parts.append("actualizar las columnas")
        if self.check and not (self.rows or self.schema):
            parts.append("comprobar su tabla")
        if self.rows:
            parts.append(f"período {self.period}: añadir o reemplazar {self.count} filas")
        if self.views:
            parts.append("vistas")
        if self.guide is not None and self.guide.action != UNCHANGED:
            parts.append("guía ciudadana")
        if self.activation is not None:
            parts.append("publicar")
        return f"serie {self.name}: {', '.join(parts) or 'ajustar metadatos'}"


def series_steps(
    pkg: LocalPackage, state: PortalState, tables: dict[str, Table], org: dict[str, str], prefix: str | None = None
) -> tuple[SeriesStep, ...]:
    """For each table of the series: its series dataset and this period's rows in it."""
    period = (pkg.descriptor.get("periodo") or {}).get("clave")
    wanted = views.series_tables(pkg.descriptor)
    if not period or not wanted:
        return ()
    guide = next((f for f in pkg.files if f.kind == "guide"), None)
    report_guide = guide_link(state.dataset)  # the series link the guide of the report last published
    out = []
    for f in pkg.files:
        if f.kind != "table" or f.resource.get("name") not in wanted:
            continue
        table = tables[f.key]
        name = series_name(pkg, table.name, prefix)
        current = state.series.get(name)
        desired = series_dataset(pkg, org, f.resource, report_guide, prefix)
        ds = dataset_step(current, desired)
        resources = (current or {}).get("resources", [])
        key = SERIES_KEY_PREFIX + table.name
        mine = next((r for r in resources if r.get(metadata.KEY_FIELD) == key), None)
        fields = series_fields(table)
        schema_print = fingerprint({"campos": fields, "clave": series_key(table), "alias": name})
        rows_print = fingerprint({"periodo": period, "filas": table.fingerprint})
        view_print = fingerprint(views.series_views(pkg.descriptor, f.resource, table))
        try:
            periods = json.loads(mine.get(PERIODS_FIELD) or "{}") if mine else {}
        except json.JSONDecodeError:
            periods = {}
        periods = periods if isinstance(periods, dict) else {}
        wanted_fields = series_resource(pkg, f.resource)
        resource_fields = {k: v for k, v in wanted_fields.items() if not same(k, mine.get(k), v)} if mine else {}
        active = bool(mine and mine.get("datastore_active"))
        opening = not is_open(current)
        guide_step = None
        if guide is not None:
            found = next((r for r in resources if r.get(metadata.KEY_FIELD) == GUIDE_KEY), None)
            if found is None:
                guide_step = Step("recurso", GUIDE_KEY, CREATE)
            else:
                # Unknown link (the report dataset's guide is made in this run): updated with the real one.
                wanted_guide = series_guide(pkg, report_guide) if report_guide else {"url": ""}
                changed = tuple(k for k, v in wanted_guide.items() if not same(k, found.get(k), v))
                guide_step = Step(
                    "recurso", GUIDE_KEY, UPDATE if changed else UNCHANGED, changed, resource_id=found["id"]
                )
        ours = [r.get(metadata.KEY_FIELD) for r in resources if r.get(metadata.KEY_FIELD) in (key, GUIDE_KEY)]
        out.append(
            SeriesStep(
                table=table.name,
                dataset=ds,
                activation=activation(current, desired),
                resource_id=mine["id"] if mine else None,
                resource_fields=resource_fields,
                schema=bool(mine) and (not active or mine.get(DATA_FIELD) != schema_print),
                period=period,
                rows=not active or periods.get(period) != rows_print,
                count=len(table.records),
                views=not active or opening or mine.get(VIEWS_FIELD) != view_print,
                guide=guide_step,
                done={
                    DATA_FIELD: schema_print,
                    VIEWS_FIELD: view_print,
                    PERIODS_FIELD: json.dumps({**periods, period: rows_print}, sort_keys=True),
                },
                reorder=bool(mine)
                and guide is not None
                and any(k == GUIDE_KEY for k in ours)
                and ours != [key, GUIDE_KEY],
                dataset_id=(current or {}).get("id"),
                early=mine is None and opening,
                check=opening and active,
            )
        )
    return tuple(out)
