"""The difference between what a package wants on the portal and what is there, as plain data.

No I/O here: `fetch.py` reads the portal, this module decides, `apply.py`
writes. Keeping the decision pure is what makes `--dry-run` honest (it prints
exactly what a real run would do) and lets the idempotence rules be tested
without a portal.

Rules: only fields the publisher owns are compared; tags, groups and extras
are merged (an administrator's additions survive); resources are matched by
the key stored in `rendicion_recurso`, never by name; a file is uploaded only
when its sha256 differs from the resource's `hash`, or the portal lost it; a
resource whose `download_url`/`access_url` is not its own `url` is patched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlparse

from pipelines.publish import metadata, views
from pipelines.publish.errors import ConflictError
from pipelines.publish.local import DESCRIPTOR_KEY, GUIDE_KEY, LocalPackage
from pipelines.publish.tables import Table, fingerprint, read_tables, series_fields, series_key

CREATE, UPDATE, UNCHANGED, DELETE = "create", "update", "unchanged", "delete"
VERBS = {CREATE: "crear", UPDATE: "actualizar", UNCHANGED: "sin cambios", DELETE: "borrar"}
PENDING_URL = "(enlace pendiente: datapackage.json aún no está en el portal)"
DATASET_FIELDS = ("title", "notes", "license_id", "version", "url")
# Resource fields where the publisher records what the portal's DataStore holds, written last.
DATA_FIELD = "rendicion_datastore"  # fingerprint of the loaded table (CSV, fields, key)
VIEWS_FIELD = "rendicion_vistas"  # fingerprint of the views last made
PERIODS_FIELD = "rendicion_periodos"  # series: period → fingerprint of its rows


@dataclass(frozen=True)
class PortalState:
    """What fetch.py found: only what the plan needs."""

    organization_exists: bool
    existing_groups: frozenset[str]
    dataset: dict[str, Any] | None  # package_show, or None if there is no such dataset
    downloads: dict[str, int | None] = field(default_factory=dict)  # resource id → Content-Length (None: missing)
    series: dict[str, dict[str, Any] | None] = field(default_factory=dict)  # series dataset name → package_show


@dataclass(frozen=True)
class TableStep:
    """One CSV table of the report dataset in the DataStore: load it, sync its views, or nothing."""

    key: str  # resource key
    name: str  # table (package resource) name
    resource_id: str | None  # None: the resource is created in this run
    load: str | None  # "crear" (new table) / "reemplazar" (rows differ) / None
    views: bool  # the declared views differ from those last made
    done: dict[str, str]  # fields patched on the resource once loaded and viewed (fingerprints)
    rows: int

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
        if self.rows:
            parts.append(f"período {self.period}: añadir o reemplazar {self.count} filas")
        if self.views:
            parts.append("vistas")
        if self.guide is not None and self.guide.action != UNCHANGED:
            parts.append("guía ciudadana")
        if self.activation is not None:
            parts.append("publicar")
        return f"serie {self.name}: {', '.join(parts) or 'ajustar metadatos'}"


@dataclass(frozen=True)
class Step:
    target: str  # "organización", "grupo", "conjunto", "recurso"
    key: str  # organization/group/dataset name, or the resource key
    action: str  # CREATE / UPDATE / UNCHANGED / DELETE
    fields: tuple[str, ...] = ()  # what differs (for UPDATE)
    upload: bool = False  # a file goes up
    resource_id: str | None = None
    download_url: str | None = None  # the portal's link to the file now (kept when the upload keeps its name)
    payload: dict[str, Any] = field(default_factory=dict)  # organization/group/dataset: what to send


@dataclass(frozen=True)
class Plan:
    organization: Step
    groups: tuple[Step, ...]
    dataset: Step
    resources: tuple[Step, ...]  # desired order (creates and updates), then deletions
    reorder: bool  # the portal's order of our resources differs from the package's
    activation: dict[str, Any] | None  # last patch: a new/incomplete/deleted dataset becomes active and public
    descriptor_url: str | None = None  # where the portal already serves datapackage.json
    tables: tuple[TableStep, ...] = ()  # the DataStore tables and their views
    series: tuple[SeriesStep, ...] = ()  # one series dataset per table, this period's rows in it

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


def _merge_list(current: list[str], desired: list[str], previously_ours: list[str]) -> list[str]:
    """Ours replace what we set last time; anything else on the portal (an administrator's) stays."""
    dropped = set(previously_ours) - set(desired)
    return sorted((set(current) - dropped) | set(desired))


def dataset_step(current: dict[str, Any] | None, desired: dict[str, Any]) -> Step:
    name = desired["name"]
    if current is None:
        payload = {k: v for k, v in desired.items() if k not in ("tags", "groups", "extras")}
        pending = {**desired["extras"], metadata.PENDING_EXTRA: metadata.PENDING_VALUE}
        # Private (any editor may set it) and a draft (honoured for sysadmins) until the last step.
        payload.update(
            tags=[{"name": t} for t in desired["tags"]],
            groups=[{"name": g} for g in desired["groups"]],
            extras=_extras_list(pending),
            state="draft",
            private=True,
        )
        return Step("conjunto", name, CREATE, payload=payload)
    owner = (current.get("organization") or {}).get("name")
    if owner != desired["owner_org"]:
        raise ConflictError(
            f"el conjunto «{name}» ya existe en el portal en la organización «{owner}», no en "
            f"«{desired['owner_org']}»; no se sobrescribe"
        )
    changed: dict[str, Any] = {}
    for key in DATASET_FIELDS:
        if (current.get(key) or "") != (desired[key] or ""):
            changed[key] = desired[key]
    extras = {e["key"]: e["value"] for e in current.get("extras", []) if e["key"] != metadata.PENDING_EXTRA}
    mark = {e["key"]: e["value"] for e in current.get("extras", []) if e["key"] == metadata.PENDING_EXTRA}
    tags_now = sorted(t["name"] for t in current.get("tags", []))
    previous = json.loads(extras.get(metadata.TAGS_EXTRA) or "[]")
    tags_new = _merge_list(tags_now, desired["tags"], previous)
    if tags_new != tags_now:
        changed["tags"] = [{"name": t} for t in tags_new]
    groups_now = sorted(g["name"] for g in current.get("groups", []))
    groups_new = sorted(set(groups_now) | set(desired["groups"]))
    if groups_new != groups_now:
        changed["groups"] = [{"name": g} for g in groups_new]
    merged = {**extras, **desired["extras"]}
    if merged != extras:
        changed["extras"] = _extras_list({**merged, **mark})  # the mark goes only with the activation
        changed_keys = sorted(k for k in merged if extras.get(k) != merged[k])
    else:
        changed_keys = []
    if not changed:
        return Step("conjunto", name, UNCHANGED)
    labels = tuple(k for k in changed if k != "extras") + tuple(f"extras.{k}" for k in changed_keys)
    return Step("conjunto", name, UPDATE, labels, payload={"id": current["id"], **changed})


def _extras_list(extras: dict[str, str]) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in sorted(extras.items())]


def activation(current: dict[str, Any] | None, desired: dict[str, Any]) -> dict[str, Any] | None:
    """The final patch, or None when the dataset is already active and complete.

    A dataset we created and did not finish carries the PENDING mark: it is opened (public, mark
    removed). One an administrator deleted is only reactivated; its visibility is theirs to choose.
    """
    if current is None:
        return {"state": "active", "private": False, "extras": _extras_list(desired["extras"])}
    extras = {e["key"]: e["value"] for e in current.get("extras", [])}
    if metadata.PENDING_EXTRA in extras:
        extras.pop(metadata.PENDING_EXTRA)
        return {"state": "active", "private": False, "extras": _extras_list({**extras, **desired["extras"]})}
    if current.get("state") != "active":
        return {"state": "active"}
    return None


def _filename(url: str) -> str:
    return PurePosixPath(urlparse(url or "").path).name


def _same(key: str, current: Any, desired: str) -> bool:
    now = "" if current is None else str(current)
    return now.lower() == desired.lower() if key == "format" else now == desired


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
        fields = tuple(k for k, v in desired.items() if not _same(k, r.get(k), v))
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
    # A new descriptor goes up first: the tables' schema links point at its URL.
    steps.sort(key=lambda s: not (s.key == DESCRIPTOR_KEY and s.action == CREATE))

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


def _guide_url(dataset: dict[str, Any] | None) -> str | None:
    """The portal's link to the guide uploaded in this dataset, once it exists."""
    for r in (dataset or {}).get("resources", []):
        if r.get(metadata.KEY_FIELD) == GUIDE_KEY and r.get("url_type") == "upload" and r.get("url"):
            return r["url"]
    return None


def table_steps(
    pkg: LocalPackage, state: PortalState, tables: dict[str, Table], steps: list[Step]
) -> tuple[TableStep, ...]:
    """Which tables to (re)load and whose views to make: compared through the fingerprints the portal keeps."""
    resources = {r["id"]: r for r in (state.dataset or {}).get("resources", [])}
    by_key = {s.key: s for s in steps if s.target == "recurso" and s.action != DELETE}
    out = []
    for f in pkg.files:
        if f.kind != "table":
            continue
        table = tables[f.key]
        step = by_key.get(f.key)
        rid = step.resource_id if step and step.action != CREATE else None
        current = resources.get(rid or "", {})
        view_print = fingerprint(views.report_views(pkg.descriptor, f.resource, table))
        if rid is None or not current.get("datastore_active"):
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
                bool(load == "crear" or current.get(VIEWS_FIELD) != view_print),
                {DATA_FIELD: table.fingerprint, VIEWS_FIELD: view_print},
                len(table.records),
            )
        )
    return tuple(out)


def series_steps(
    pkg: LocalPackage, state: PortalState, tables: dict[str, Table], org: dict[str, str], prefix: str | None = None
) -> tuple[SeriesStep, ...]:
    """For each table of the series: its series dataset and this period's rows in it."""
    period = (pkg.descriptor.get("periodo") or {}).get("clave")
    wanted = views.series_tables(pkg.descriptor)
    if not period or not wanted:
        return ()
    guide = next((f for f in pkg.files if f.kind == "guide"), None)
    out = []
    for f in pkg.files:
        if f.kind != "table" or f.resource.get("name") not in wanted:
            continue
        table = tables[f.key]
        name = metadata.series_name(pkg, table.name, prefix)
        current = state.series.get(name)
        desired = metadata.series_dataset(pkg, org, f.resource, _guide_url(current), prefix)
        ds = dataset_step(current, desired)
        resources = (current or {}).get("resources", [])
        key = metadata.SERIES_KEY_PREFIX + table.name
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
        wanted_fields = metadata.series_resource(pkg, f.resource)
        resource_fields = {k: v for k, v in wanted_fields.items() if not _same(k, mine.get(k), v)} if mine else {}
        active = bool(mine and mine.get("datastore_active"))
        guide_step = None
        if guide is not None:
            found = next((r for r in resources if r.get(metadata.KEY_FIELD) == GUIDE_KEY), None)
            if found is None:
                guide_step = Step("recurso", GUIDE_KEY, CREATE, upload=True)
            else:
                link = found.get("url") if found.get("url_type") == "upload" else None
                desired_fields = metadata.resource(guide, pkg, None, link)
                changed = tuple(k for k, v in desired_fields.items() if not _same(k, found.get(k), v))
                upload = found.get("hash") != guide.sha256 or found.get("url_type") != "upload"
                guide_step = Step(
                    "recurso",
                    GUIDE_KEY,
                    UPDATE if changed or upload else UNCHANGED,
                    changed,
                    upload,
                    resource_id=found["id"],
                    download_url=link,
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
                views=not active or mine.get(VIEWS_FIELD) != view_print,
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
    desired = metadata.dataset(pkg, org, group_specs, _guide_url(state.dataset))
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
        table_steps(pkg, state, tables, resources) if datastore else (),
        series_steps(pkg, state, tables, org, series_prefix) if datastore else (),
    )
