"""Write one table to the portal's DataStore and give it its views: each call below is one transaction there.

Apart from `apply.py` (which decides the order of the whole publication) because this is one job, shared
by the report's tables and the series' tables: create a table with its rows in one `datastore_create`,
replace its rows in one `datastore_upsert` (a reader sees the old rows or the new ones, never a mix),
delete the rows whose key is gone, and keep the publisher's views as declared, in order, before any an
administrator added.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pipelines.publish import views
from pipelines.publish.client import NotFound, Portal
from pipelines.publish.plan import TableStep
from pipelines.publish.tables import Table


def datastore_info(portal: Portal, resource_id: str) -> dict[str, Any] | None:
    try:
        return portal.action("datastore_info", {"id": resource_id})
    except NotFound:
        return None


def check_types(info: dict[str, Any], fields: list[dict[str, Any]]) -> list[str]:
    """Columns whose type differs from the one wanted (the DataStore cannot change a column's type in place)."""
    current = {f["id"]: PG_TYPES.get(f.get("type"), f.get("type")) for f in info.get("fields", [])}
    return [f["id"] for f in fields if current.get(f["id"]) not in (None, PG_TYPES.get(f["type"], f["type"]))]


PG_TYPES = {"int": "int4", "integer": "int4"}  # datastore_info names PostgreSQL's types


def _key(values: dict[str, Any], names: list[str]) -> tuple[str, ...]:
    return tuple("" if values.get(n) is None else str(values[n]) for n in names)


def replace_rows(
    portal: Portal,
    rid: str,
    records: list[dict[str, Any]],
    key: list[str],
    force: bool,
    scope: dict[str, Any] | None = None,
) -> None:
    """Upsert every row (one transaction), then delete the rows of `scope` whose key is gone.

    The upsert is a single datastore_upsert call: a reader sees all the old rows or all the new
    values, never a mix. Rows whose key disappeared (rare: a renamed activity) are deleted right
    after, one datastore_records_delete each. Without a primary key the key is the row position,
    `_id`, which the first load gives in CSV order.
    """
    if key:
        portal.action(
            "datastore_upsert",
            {
                "resource_id": rid,
                "records": records,
                "method": "upsert",
                "force": force,
                "calculate_record_count": True,
            },
        )
        new = {_key(r, key) for r in records}
    else:
        numbered = [{"_id": number, **r} for number, r in enumerate(records, start=1)]
        portal.action(
            "datastore_upsert",
            {
                "resource_id": rid,
                "records": numbered,
                "method": "upsert",
                "force": force,
                "calculate_record_count": True,
            },
        )
        new = {(str(n),) for n in range(1, len(records) + 1)}
    names = key or ["_id"]
    found = portal.action(
        "datastore_search",
        {"resource_id": rid, "fields": names, "filters": scope or {}, "limit": 32000, "include_total": False},
    )
    for row in found.get("records", []):
        if _key(row, names) not in new:
            filters = {**(scope or {}), **{n: row[n] for n in names}}
            portal.action(
                "datastore_records_delete",
                {"resource_id": rid, "filters": filters, "force": force, "calculate_record_count": True},
            )


def load_table(portal: Portal, rid: str, table: Table, log: Callable[[str], None], new: bool = False) -> None:
    """The report table's DataStore table holds the CSV: created in one call, or replaced row by row in one."""
    fields = [dict(f) for f in table.fields]
    key = list(table.primary_key)
    records = [dict(r) for r in table.records]
    info = None if new else datastore_info(portal, rid)  # a resource made in this run has no table yet
    create = {"resource_id": rid, "fields": fields, "primary_key": key, "force": True, "calculate_record_count": True}
    if info is None:  # a new table: its rows arrive in the same transaction that creates it
        log(f"  datastore {table.name}: crear la tabla con {len(records)} filas")
        portal.action("datastore_create", {**create, "records": records})
        return
    changed_type = check_types(info, fields)
    if changed_type:
        log(f"  datastore {table.name}: el tipo de {', '.join(changed_type)} cambió: se vuelve a crear la tabla")
        portal.action("datastore_delete", {"resource_id": rid, "force": True})
        portal.action("datastore_create", {**create, "records": records})
        return
    log(f"  datastore {table.name}: reemplazar {len(records)} filas")
    portal.action("datastore_create", {**create, "delete_fields": True, "calculate_record_count": False})
    replace_rows(portal, rid, records, key, force=True)


def sync_views(
    portal: Portal, rid: str, desired: list[dict[str, Any]], log: Callable[[str], None], label: str, new: bool = False
) -> None:
    """Our views as declared, in order, before any an administrator added; theirs are left alone."""
    current = [] if new else portal.action("resource_view_list", {"id": rid})  # a new resource has none
    ours = {v["title"]: v for v in current if views.is_ours(v)}
    order = []
    for wanted in desired:
        view = ours.pop(wanted["title"], None)
        if view is None:
            log(f"  vista {label}: crear «{wanted['title']}»")
            view = portal.action("resource_view_create", {"resource_id": rid, **wanted})
        elif not views.same_view(view, wanted):
            log(f"  vista {label}: actualizar «{wanted['title']}»")
            view = portal.action("resource_view_update", {"id": view["id"], "resource_id": rid, **wanted})
        order.append(view["id"])
    for view in ours.values():
        log(f"  vista {label}: borrar «{view['title']}» (ya no está declarada)")
        portal.action("resource_view_delete", {"id": view["id"]})
    dropped = {v["id"] for v in ours.values()}
    others = [v["id"] for v in current if v["id"] not in order and v["id"] not in dropped]
    kept = [v["id"] for v in current if v["id"] not in dropped]
    now = kept + [i for i in order if i not in kept]  # the portal appends new views
    if now != order + others:
        portal.action("resource_view_reorder", {"id": rid, "order": order + others})


def apply_table(
    portal: Portal,
    rid: str,
    table: Table,
    step: TableStep,
    desired: list[dict[str, Any]],
    log: Callable[[str], None],
    new: bool = False,
) -> None:
    """Load, then views; the fingerprints that say so are patched after (`mark_table`), so an
    interruption before that patch leaves the old fingerprints and the next publish does it all again."""
    if step.load:
        load_table(portal, rid, table, log, new=new)
    sync_views(portal, rid, desired, log, table.name, new=new)


def mark_table(portal: Portal, rid: str, step: TableStep) -> None:
    """The fingerprints of what `apply_table` did. A resource created in this run of a dataset not
    open yet already carries them (`TableStep.early`): no patch then."""
    if not step.early:
        portal.action("resource_patch", {"id": rid, **step.done})
