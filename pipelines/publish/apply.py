"""Carry out a plan against the portal, in an order that is safe to interrupt.

Order: organization and groups, the dataset (created private, as a draft when the token may set
states, so a half-published dataset is never public), its resources in the package's order (each new
one named here, so its upload's link goes with its creation and the tables' schema links know the
descriptor's URL), duplicate/stale deletions, the order of resources, each table's DataStore load and
views (then the fingerprints that say so), the switch of the dataset to active. The series datasets
(each: dataset with its DataStore resource, table with this period's rows, views, guide, fingerprints)
are written meanwhile, once the report's resources are named (they need only the guide's link), and
opened last, after the report's dataset: none is public before it. Stopping anywhere leaves a state
the next run's plan repairs: a fingerprint is written only after what it describes is on the portal,
or, for a resource created in a dataset not open yet, with its creation, and then the plan keeps
checking that resource until the dataset opens.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from pipelines.publish import metadata, views
from pipelines.publish.client import Portal
from pipelines.publish.datastore import (
    apply_table,
    check_types,
    datastore_info,
    mark_table,
    replace_rows,
    sync_views,
)
from pipelines.publish.errors import PublishError
from pipelines.publish.local import DESCRIPTOR_KEY, GUIDE_KEY, LocalPackage
from pipelines.publish.plan import CREATE, DELETE, UNCHANGED, UPDATE, Plan, TableStep
from pipelines.publish.series import SERIES_KEY_PREFIX, SeriesStep, series_dataset, series_guide, series_resource
from pipelines.publish.tables import PERIOD_FIELD, Table, read_tables, series_fields, series_key, series_records

SERIES_AT_ONCE = 2
"""Series datasets written at the same time (a portal in N processes answers N calls at once)."""
TABLES_AT_ONCE = 2
"""Report tables loaded into the DataStore at the same time (their loads do not touch the dataset)."""


def apply_plan(
    portal: Portal,
    pkg: LocalPackage,
    plan: Plan,
    log: Callable[[str], None],
    tables: dict[str, Table] | None = None,
    series_prefix: str | None = None,
) -> dict[str, Any]:
    """Run every step that changes something; returns the dataset as package_show last saw it.

    The report dataset one call at a time (its resources are rewritten together by CKAN: concurrent
    writes to one dataset could lose each other's changes); the series datasets, which share nothing
    with it but the guide's link, `SERIES_AT_ONCE` at a time beside it, from the moment its resources
    are named, and opened once it is open. Measured (scripts/benchmark.py, part 5, tests' portal in
    two gunicorn processes): a cold publish took 2.2–2.5 s with the series after the report's
    dataset, 2.0–2.15 s beside it. A failing series stops the publish once those already under way end
    (a failing report dataset cancels those not started); the next run resumes.
    """
    tables = read_tables(pkg) if tables is None else tables
    log = _one_line_at_a_time(log)  # the series write beside the report: their lines must not interleave
    org = plan.organization
    if org.action == CREATE:
        log(f"  organización {org.key}: crear")
        portal.action("organization_create", org.payload)
    for group in plan.groups:
        if group.action == CREATE:
            log(f"  grupo {group.key}: crear")
            portal.action("group_create", group.payload)
    links = Links(portal)
    series = [step for step in plan.series if step.changes]
    started: list[Future[Callable[[], None] | None]] = []
    with ThreadPoolExecutor(max_workers=SERIES_AT_ONCE) as pool:

        def start_series(guide_url: str | None) -> None:
            """Called once the report's resources are named: the series go up while its files do."""
            for step in series:
                table = tables[_table_key(pkg, step.table)]
                started.append(pool.submit(apply_series, portal, pkg, step, table, guide_url, log, series_prefix))

        try:
            dataset = _apply_dataset(portal, pkg, plan, tables, links, log, start_series)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)  # the series under way end; the others wait for a rerun
            raise
    openings = [future.result() for future in started]  # re-raises the first failure
    with ThreadPoolExecutor(max_workers=SERIES_AT_ONCE) as pool:  # only now: the report's dataset is open
        list(pool.map(lambda open_series: open_series(), [o for o in openings if o is not None]))
    return dataset


def _one_line_at_a_time(log: Callable[[str], None]) -> Callable[[str], None]:
    lock = threading.Lock()

    def say(line: str) -> None:
        with lock:
            log(line)

    return say


def _apply_dataset(
    portal: Portal,
    pkg: LocalPackage,
    plan: Plan,
    tables: dict[str, Table],
    links: Links,
    log: Callable[[str], None],
    named_guide: Callable[[str | None], None] = lambda _url: None,
) -> dict[str, Any]:
    """The report's dataset: itself, its resources, its DataStore tables and views, then its opening.

    `named_guide` is told the guide's link as soon as it is known (named here, or as it was), before
    any upload: the series datasets, which link it, need nothing else from this dataset."""
    ds = plan.dataset
    if ds.action == CREATE:
        log(f"  conjunto {ds.key}: crear (privado hasta terminar)")
        dataset = portal.action("package_create", ds.payload)
    elif ds.action == UPDATE:
        log(f"  conjunto {ds.key}: actualizar {', '.join(ds.fields)}")
        dataset = portal.action("package_patch", ds.payload)
    else:
        dataset = None
    dataset_id = dataset["id"] if dataset else plan.dataset_id or pkg.name

    # Each new resource is named here, so its download link is known before the upload: it goes with
    # the resource_create (no patch after it), and the tables' schema links know the descriptor's URL.
    named = {s.key: links.new(dataset_id, pkg.file(s.key).upload_name) for s in plan.resources if s.action == CREATE}
    ids: dict[str, str] = {}  # resource key → id after this run
    guide_url = None  # set when the guide goes up in this run: the description then links it
    # Fingerprints and the DataStore mark sent with the resource's creation (see TableStep.early).
    early = {t.key: {**t.done, "datastore_active": True} for t in plan.tables if t.early}
    descriptor_url = plan.descriptor_url or named.get(DESCRIPTOR_KEY, (None, None))[1]
    named_guide(named.get(GUIDE_KEY, (None, None))[1] or plan.guide_url)
    for step in plan.resources:
        if step.action == DELETE:
            continue
        if step.action == UNCHANGED:
            ids[step.key] = step.resource_id or ""
            continue
        f = pkg.file(step.key)
        upload = (f.upload_name, f.path) if step.upload else None
        if step.action == CREATE:
            rid, link = named[step.key]
            fields = metadata.resource(f, pkg, descriptor_url, link)
            log(f"  recurso {_label(step.key)}: crear y subir {f.upload_name}")
            payload = {"package_id": dataset_id, "id": rid, **fields, **early.get(step.key, {})}
            result = portal.action("resource_create", payload, upload=upload, created=rid)
        else:
            fields = metadata.resource(f, pkg, descriptor_url, step.download_url)
            what = ", ".join(step.fields) + (" [subir archivo]" if step.upload else "")
            log(f"  recurso {_label(step.key)}: actualizar {what}")
            result = portal.action("resource_patch", {"id": step.resource_id, **fields}, upload=upload)
        result = _set_download_url(portal, step.key, result, log)  # only if the portal named it otherwise
        ids[step.key] = result["id"]
        if step.key == GUIDE_KEY:
            guide_url = result.get("url")

    for step in plan.resources:
        if step.action == DELETE:
            log(f"  recurso {_label(step.key)}: borrar ({', '.join(step.fields)})")
            portal.action("resource_delete", {"id": step.resource_id})

    if plan.reorder:
        log("  recursos: reordenar como en el paquete")
        current = portal.action("package_show", {"id": dataset_id})
        ours = [ids[f.key] for f in pkg.files if ids.get(f.key)]
        others = [r["id"] for r in current.get("resources", []) if r["id"] not in ours]
        portal.action("package_resource_reorder", {"id": current["id"], "order": ours + others})

    # The dataset is still private if it is new: its tables are loaded before it opens. Tables whose
    # load rewrites the dataset (not marked datastore_active yet) go one at a time, the others
    # TABLES_AT_ONCE at a time; the fingerprint patches, which rewrite it too, one at a time after.
    changed = [t for t in plan.tables if t.changes]

    def load(table_step: TableStep) -> None:
        f = pkg.file(table_step.key)
        table = tables[table_step.key]
        rid = table_step.resource_id or ids[table_step.key]
        wanted = views.report_views(pkg.descriptor, f.resource, table)
        apply_table(portal, rid, table, table_step, wanted, log, new=table_step.resource_id is None)

    for table_step in changed:
        if not table_step.marked:
            load(table_step)
    with ThreadPoolExecutor(max_workers=TABLES_AT_ONCE) as pool:
        list(pool.map(load, [t for t in changed if t.marked]))  # re-raises the first failure
    for table_step in changed:
        mark_table(portal, table_step.resource_id or ids[table_step.key], table_step)

    activation = dict(plan.activation or {})
    if guide_url:  # the description links the guide now that the portal has named its file
        org = metadata.organization(pkg)
        activation["notes"] = metadata.dataset(pkg, org, metadata.groups(pkg, org["name"]), guide_url)["notes"]
    if activation:
        log(
            f"  conjunto {ds.key}: publicar (activo y público)"
            if plan.activation is not None
            else f"  conjunto {ds.key}: enlazar la guía ciudadana"
        )
        # Opening it also sets each table's `datastore_active` to a true boolean: a resource created with
        # an upload got it as the string "True" (a multipart form has only strings), enough for CKAN's
        # DataStore but not what the API should tell a client. package_revise does both in one write.
        flags = {
            f"update__resources__{ids[t.key]}": {"datastore_active": True}
            for t in plan.tables
            if plan.activation is not None and ids.get(t.key)
        }
        if flags:
            # (`update` merges lists item by item: the extras are dropped first so that the list sent replaces them)
            revise = {"match": {"id": dataset_id}, "filter": ["-extras"] if "extras" in activation else []}
            dataset = portal.action("package_revise", {**revise, "update": activation, **flags})
            dataset = dataset["package"]
        else:
            dataset = portal.action("package_patch", {"id": dataset_id, **activation})
    return dataset or {}


def _table_key(pkg: LocalPackage, table: str) -> str:
    return next(f.key for f in pkg.files if f.kind == "table" and f.resource.get("name") == table)


def apply_series(
    portal: Portal,
    pkg: LocalPackage,
    step: SeriesStep,
    table: Table,
    guide_url: str | None,
    log: Callable[[str], None],
    prefix: str | None = None,
) -> Callable[[], None] | None:
    """The series dataset of one table holds this package's period: created, altered and upserted as needed.

    `guide_url`: the portal's link to the report's guide, which the series link (None: no guide).
    Returns what opens a new series dataset (active and public), for the caller to run once the
    report's own dataset is open: a series never links a guide citizens cannot download yet."""
    resource = pkg.file(_table_key(pkg, step.table)).resource
    ds = step.dataset
    fields = series_fields(table)
    key = series_key(table)
    records = series_records(table, step.period)
    rid = step.resource_id

    def create_table(target: dict) -> dict:
        """The series' DataStore table with this period's rows, on `target` (an existing or a new resource)."""
        log(f"  serie {ds.key}: crear su tabla con el período {step.period} ({len(records)} filas)")
        table_fields = {"fields": fields, "primary_key": key, "records": records, "aliases": [ds.key]}
        return portal.action("datastore_create", {**target, **table_fields, "calculate_record_count": True})

    org = metadata.organization(pkg)
    notes = series_dataset(pkg, org, resource, guide_url, prefix)["notes"]  # links the guide as now named
    guide = series_guide(pkg, guide_url) if guide_url and step.guide is not None else None
    if ds.action == CREATE:
        # The DataStore resource and the guide's link come with the dataset (one write of it instead of
        # three more), the resource already marked active so that datastore_create below does not rewrite
        # the dataset again to say so; the dataset is private and not open until the end, and while it is
        # not open each run checks that the table exists (SeriesStep.check) before trusting that mark.
        log(f"  serie {ds.key}: crear (privado hasta terminar)")
        rid = str(uuid.uuid4())
        inline = {
            "id": rid,
            "url": "_datastore_only_resource",
            "url_type": "datastore",
            "datastore_active": True,
            **series_resource(pkg, resource),
            **step.done,
        }
        payload = {**ds.payload, "notes": notes, "resources": [inline, *([guide] if guide else [])]}
        dataset_id = portal.action("package_create", payload)["id"]
        create_table({"resource_id": rid})
    elif ds.action == UPDATE:
        log(f"  serie {ds.key}: actualizar {', '.join(ds.fields)}")
        payload = {**ds.payload, **({"notes": notes} if "notes" in ds.payload else {})}
        dataset_id = portal.action("package_patch", payload)["id"]
    else:
        dataset_id = step.dataset_id or ds.key
    if ds.action == CREATE:
        pass  # its DataStore table was made with it, above
    elif rid is None:
        created = create_table(
            {
                "resource": {
                    "package_id": dataset_id,
                    "id": str(uuid.uuid4()),  # named here: a retried call finds the same resource
                    **series_resource(pkg, resource),
                    **(step.done if step.early else {}),  # see SeriesStep.early
                }
            }
        )
        rid = created["resource_id"]
    else:
        if step.resource_fields:
            portal.action("resource_patch", {"id": rid, **step.resource_fields})
        if step.schema or step.rows or step.check:
            info = datastore_info(portal, rid)
            if info is None:
                create_table({"resource_id": rid})
            else:
                changed_type = check_types(info, fields)
                if changed_type:
                    raise PublishError(
                        f"la serie {ds.key} guarda {', '.join(changed_type)} con otro tipo; el DataStore no cambia "
                        "el tipo de una columna con datos de otros períodos: borre su tabla (datastore_delete) y "
                        "vuelva a publicar cada período"
                    )
                if step.schema:  # new columns and the dictionary; the columns of earlier periods stay
                    log(f"  serie {ds.key}: actualizar columnas y diccionario")
                    portal.action(
                        "datastore_create",
                        {
                            "resource_id": rid,
                            "fields": fields,
                            "primary_key": key,
                            "aliases": [ds.key],
                            "calculate_record_count": False,
                        },
                    )
                if step.schema or step.rows:  # (only checked: the table is there, its rows came with it)
                    log(f"  serie {ds.key}: período {step.period}: añadir o reemplazar {len(records)} filas")
                    replace_rows(portal, rid, records, key, force=False, scope={PERIOD_FIELD: step.period})
    if step.views or step.resource_id is None:
        sync_views(
            portal, rid, views.series_views(pkg.descriptor, resource, table), log, ds.key, new=step.resource_id is None
        )
    if guide and step.guide is not None and ds.action != CREATE and step.guide.action != UNCHANGED:
        log(f"  serie {ds.key}: enlace a la guía ciudadana")
        if step.guide.action == CREATE:
            portal.action("resource_create", {"package_id": dataset_id, **guide})
        else:
            portal.action("resource_patch", {"id": step.guide.resource_id, **guide})
    if not (step.early and step.resource_id is None):
        portal.action("resource_patch", {"id": rid, **step.done})
    if step.reorder:
        current = portal.action("package_show", {"id": dataset_id})
        mine = [r["id"] for r in current["resources"] if r.get(metadata.KEY_FIELD) == SERIES_KEY_PREFIX + table.name]
        guides = [r["id"] for r in current["resources"] if r.get(metadata.KEY_FIELD) == GUIDE_KEY]
        others = [r["id"] for r in current["resources"] if r["id"] not in mine + guides]
        portal.action("package_resource_reorder", {"id": dataset_id, "order": mine + guides + others})
    if not step.activation:
        return None

    def open_series() -> None:
        log(f"  serie {ds.key}: publicar (activo y público)")
        portal.action("package_patch", {"id": dataset_id, **(step.activation or {})})

    return open_series


class Links:
    """Names new resources and says which link the portal will give their upload (it holds both ids).

    CKAN accepts a resource id chosen by the client (a retried resource_create then finds the same
    resource instead of adding a second) and serves an upload at
    `<site_url>/dataset/<dataset id>/resource/<resource id>/download/<file name>`. The site URL is
    the portal's own (`status_show`), read once, only when a resource is created. Should the portal
    name the link otherwise, the answer says so and `_set_download_url` patches it, as before.
    """

    def __init__(self, portal: Portal) -> None:
        self.portal = portal
        self._site: str | None = None

    def site(self) -> str:
        if self._site is None:
            found = self.portal.action("status_show", {}).get("site_url") or self.portal.url
            self._site = str(found).rstrip("/")
        return self._site

    def new(self, dataset_id: str, filename: str) -> tuple[str, str]:
        """A fresh resource id and the download link of `filename` uploaded to it."""
        rid = str(uuid.uuid4())
        return rid, f"{self.site()}/dataset/{dataset_id}/resource/{rid}/download/{filename}"


def _set_download_url(portal: Portal, key: str, result: dict[str, Any], log: Callable[[str], None]) -> dict[str, Any]:
    """After an upload the portal names the file's link (it holds the resource id): record it for DCAT.

    A new resource costs this one extra call; a re-upload under the same name already sent the
    right link. Interrupted before it, the next run's plan sees the missing link and patches it.
    """
    url = result.get("url")
    if result.get("url_type") != "upload" or not url:
        return result
    wanted = metadata.download_fields(url)
    if all(result.get(k) == v for k, v in wanted.items()):
        return result
    log(f"  recurso {_label(key)}: enlace de descarga (download_url)")
    return portal.action("resource_patch", {"id": result["id"], **wanted})


def _label(key: str) -> str:
    return key.split(":", 1)[-1]
