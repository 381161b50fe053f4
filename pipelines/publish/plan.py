"""The difference between what a package wants on the portal and what is there, as plain data.

No I/O here: `fetch.py` reads the portal, this module decides (with `steps.py`, the pieces every
plan shares, and `series.py`, the series datasets' part), `apply.py` writes. Keeping the decision
pure is what makes `--dry-run` honest (it prints exactly what a real run would do) and lets the
idempotence rules be tested without a portal.

Rules: only fields the publisher owns are compared; tags, groups and extras
are merged (an administrator's additions survive); resources are matched by
the key stored in `rendicion_recurso`, never by name; a file is uploaded only
when its sha256 differs from the resource's `hash`, or the portal lost it; a
resource whose `download_url`/`access_url` is not its own `url` is patched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlparse

from pipelines.publish import metadata, views
from pipelines.publish.local import DESCRIPTOR_KEY, LocalPackage
from pipelines.publish.series import SeriesStep, series_steps
from pipelines.publish.steps import (
    CREATE,
    DATA_FIELD,
    DELETE,
    UNCHANGED,
    UPDATE,
    VERBS,
    VIEWS_FIELD,
    PortalState,
    Step,
    activation,
    dataset_step,
    guide_link,
    is_open,
    same,
)
from pipelines.publish.tables import Table, fingerprint, read_tables

__all__ = ["CREATE", "DELETE", "UNCHANGED", "UPDATE", "Plan", "PortalState", "Step", "TableStep", "make_plan"]
PENDING_URL = "(enlace pendiente: datapackage.json aún no está en el portal)"


@dataclass(frozen=True)
class TableStep:
    """One CSV table of the report dataset in the DataStore: load it, sync its views, or nothing."""

    key: str  # resource key
    name: str  # table (package resource) name
    resource_id: str | None  # None: the resource is created in this run
    load: str | None  # "crear" (new table) / "reemplazar" (rows differ) / None
    views: bool  # the declared views differ from those last made (or the dataset is not open yet)
    done: dict[str, str]  # fields patched on the resource once loaded and viewed (fingerprints)
    rows: int
    # The resource is created in this run in a dataset that is not open yet: the fingerprints and the
    # `datastore_active` mark go with its creation instead of patches of their own (CKAN's
    # datastore_create would otherwise rewrite the whole dataset to set the mark: 80 ms a table).
    # Safe because until the dataset opens (its activation is the last step) every run checks that
    # each marked table exists (`PortalState.missing_tables`) and makes the views again; the table's
    # rows come with its creation (one datastore_create with every row).
    early: bool = False
    # The resource already says `datastore_active` (or will, from its creation): loading it does not make
    # CKAN rewrite the dataset, so it may be loaded beside the other tables (apply.TABLES_AT_ONCE).
    marked: bool = False

    @property
    def changes(self) -> bool:
        return bool(self.load or self.views)

    def line(self) -> str:
        parts = []
        if self.load:
            parts.append(f"{'cargar' if self.load == 'crear' else 'reemplazar'} {self.rows} filas en el DataStore")
        if self.views:
            parts.append("vistas (tabla y gráficos)")
        return f"datastore {self.name}: {', '.join(parts) if parts else 'sin cambios'}"


@dataclass(frozen=True)
class Plan:
    organization: Step
    groups: tuple[Step, ...]
    dataset: Step
    resources: tuple[Step, ...]  # desired order (creates and updates), then deletions
    reorder: bool  # the portal's order of our resources differs from the package's
    activation: dict[str, Any] | None  # last patch: a new/incomplete/deleted dataset becomes active and public
    descriptor_url: str | None = None  # where the portal already serves datapackage.json
    dataset_id: str | None = None  # the portal's id of the dataset, when it exists (links to uploads hold it)
    tables: tuple[TableStep, ...] = ()  # the DataStore tables and their views
    series: tuple[SeriesStep, ...] = ()  # one series dataset per table, this period's rows in it
    guide_url: str | None = None  # the portal's link to the report's guide, when it is there

    @property
    def activate(self) -> bool:
        return self.activation is not None

    @property
    def steps(self) -> tuple[Step, ...]:
        return (self.organization, *self.groups, self.dataset, *self.resources)

    @property
    def changes(self) -> bool:
        return (
            self.reorder
            or self.activate
            or any(s.action != UNCHANGED for s in self.steps)
            or any(t.changes for t in self.tables)
            or any(s.changes for s in self.series)
        )

    def counts(self) -> dict[str, int]:
        found = {CREATE: 0, UPDATE: 0, UNCHANGED: 0, DELETE: 0}
        for step in self.steps:
            found[step.action] += 1
        found["uploads"] = sum(s.upload for s in self.resources)
        found["datastore"] = sum(bool(t.load) for t in self.tables)
        found["series"] = sum(s.changes for s in self.series)
        return found

    def lines(self) -> list[str]:
        """The plan in Spanish, one line per dataset, organization, group and resource."""
        out = []
        for step in self.steps:
            detail = ""
            if step.action == UPDATE and step.fields:
                detail = f" ({', '.join(step.fields)})"
            if step.upload:
                detail += " [subir archivo]"
            out.append(f"{step.target} {step.key.split(':', 1)[-1]}: {VERBS[step.action]}{detail}")
        if self.reorder:
            out.append("recursos: reordenar")
        out += [t.line() for t in self.tables]
        if self.activate:
            out.append("conjunto: publicar (estado activo)")
        out += [s.line() for s in self.series]
        return out


def _filename(url: str) -> str:
    return PurePosixPath(urlparse(url or "").path).name


def resource_steps(
    pkg: LocalPackage, current: dict[str, Any] | None, downloads: dict[str, int | None]
) -> tuple[list[Step], bool, str | None]:
    """Steps for every file (descriptor first when it must be created), deletions, and whether to reorder."""
    resources = (current or {}).get("resources", [])
    by_key: dict[str, list[dict[str, Any]]] = {}
    for r in resources:
        if r.get(metadata.KEY_FIELD):
            by_key.setdefault(r[metadata.KEY_FIELD], []).append(r)

    def present(r: dict[str, Any], size: int) -> bool:
        length = downloads.get(r["id"], -1)
        return length is not None and length in (-1, size)

    kept: dict[str, dict[str, Any]] = {}
    deletions: list[Step] = []
    for f in pkg.files:
        matches = by_key.get(f.key, [])
        if matches:
            best = next((r for r in matches if r.get("hash") == f.sha256 and present(r, f.size)), matches[0])
            kept[f.key] = best
            deletions += [
                Step("recurso", f.key, DELETE, ("duplicado",), resource_id=r["id"]) for r in matches if r is not best
            ]
    wanted = {f.key for f in pkg.files}
    deletions += [
        Step("recurso", key, DELETE, ("ya no está en el paquete",), resource_id=r["id"])
        for key, rs in by_key.items()
        if key not in wanted
        for r in rs
    ]

    descriptor = kept.get(DESCRIPTOR_KEY)
    descriptor_url = descriptor["url"] if descriptor else PENDING_URL
    steps: list[Step] = []
    for f in pkg.files:
        r = kept.get(f.key)
        if r is None:
            steps.append(Step("recurso", f.key, CREATE, upload=True))
            continue
        # dcat:downloadURL is the file's link on the portal, known only once uploaded: compared with
        # the resource's `url` (apply.py fixes it after an upload that changed the link).
        link = r.get("url") if r.get("url_type") == "upload" else None
        desired = metadata.resource(f, pkg, descriptor_url, link)
        fields = tuple(k for k, v in desired.items() if not same(k, r.get(k), v))
        upload = (
            r.get("hash") != f.sha256
            or r.get("url_type") != "upload"
            or _filename(r.get("url", "")) != f.upload_name
            or not present(r, f.size)
        )
        if upload and "hash" not in fields:
            fields += ("archivo",)
        action = UPDATE if fields or upload else UNCHANGED
        steps.append(Step("recurso", f.key, action, fields, upload, resource_id=r["id"], download_url=link))
    # Resources are created in the package's order (no reorder afterwards): apply.py names each new
    # resource itself, so the tables' schema links know the descriptor's URL before it goes up.

    # Order after the steps run: surviving resources keep their place, new ones are appended in step order.
    deleted = {s.resource_id for s in deletions}
    after = [
        r.get(metadata.KEY_FIELD)
        for r in resources
        if r["id"] not in deleted and r.get(metadata.KEY_FIELD) and r is kept.get(r.get(metadata.KEY_FIELD))
    ]
    after += [s.key for s in steps if s.action == CREATE]
    reorder = after != [f.key for f in pkg.files]
    return steps + deletions, reorder, descriptor["url"] if descriptor else None


def table_steps(
    pkg: LocalPackage, state: PortalState, tables: dict[str, Table], steps: list[Step]
) -> tuple[TableStep, ...]:
    """Which tables to (re)load and whose views to make: compared through the fingerprints the portal keeps."""
    resources = {r["id"]: r for r in (state.dataset or {}).get("resources", [])}
    by_key = {s.key: s for s in steps if s.target == "recurso" and s.action != DELETE}
    opening = not is_open(state.dataset)
    out = []
    for f in pkg.files:
        if f.kind != "table":
            continue
        table = tables[f.key]
        step = by_key.get(f.key)
        rid = step.resource_id if step and step.action != CREATE else None
        current = resources.get(rid or "", {})
        view_print = fingerprint(views.report_views(pkg.descriptor, f.resource, table))
        if rid is None or not current.get("datastore_active") or rid in state.missing_tables:
            load = "crear"
        elif current.get(DATA_FIELD) != table.fingerprint:
            load = "reemplazar"
        else:
            load = None
        out.append(
            TableStep(
                f.key,
                table.name,
                rid,
                load,
                bool(load == "crear" or opening or current.get(VIEWS_FIELD) != view_print),
                {DATA_FIELD: table.fingerprint, VIEWS_FIELD: view_print},
                len(table.records),
                early=rid is None and opening,
                marked=(rid is None and opening) or bool(current.get("datastore_active")),
            )
        )
    return tuple(out)


def make_plan(
    pkg: LocalPackage,
    state: PortalState,
    tables: dict[str, Table] | None = None,
    series_prefix: str | None = None,
    datastore: bool = True,
) -> Plan:
    """The whole plan; with `datastore=False`, files and metadata only (no DataStore tables, views or series).

    That narrower plan is for a portal without the DataStore plugins, and it is the baseline the
    benchmark compares the full publication with.
    """
    org = metadata.organization(pkg)
    group_specs = metadata.groups(pkg, org["name"])
    desired = metadata.dataset(pkg, org, group_specs, guide_link(state.dataset))
    org_step = Step("organización", org["name"], UNCHANGED if state.organization_exists else CREATE, payload=org)
    group_steps = tuple(
        Step(
            "grupo",
            g.name,
            UNCHANGED if g.name in state.existing_groups else CREATE,
            payload={"name": g.name, "title": g.title, "description": g.description},
        )
        for g in group_specs
    )
    ds_step = dataset_step(state.dataset, desired)
    resources, reorder, descriptor_url = resource_steps(pkg, state.dataset, state.downloads)
    tables = read_tables(pkg) if tables is None else tables
    return Plan(
        org_step,
        group_steps,
        ds_step,
        tuple(resources),
        reorder,
        activation(state.dataset, desired),
        descriptor_url,
        (state.dataset or {}).get("id"),
        table_steps(pkg, state, tables, resources) if datastore else (),
        series_steps(pkg, state, tables, org, series_prefix) if datastore else (),
        guide_link(state.dataset),
    )
