"""Read what the portal holds for one package: as few calls as the answer allows.

A no-op publish should cost one `package_show` (plus a HEAD per uploaded
file): when the dataset already sits in our organization and our groups,
those exist and need no lookup of their own.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from pipelines.publish import metadata, views
from pipelines.publish.client import NotFound, Portal
from pipelines.publish.local import LocalPackage
from pipelines.publish.series import series_name
from pipelines.publish.steps import PortalState, is_open

HEAD_WORKERS = 4


def fetch_state(
    portal: Portal, pkg: LocalPackage, series_prefix: str | None = None, datastore: bool = True
) -> PortalState:
    """The portal's side of the plan; the series datasets are read only when the DataStore is published."""
    org = metadata.organization(pkg)
    wanted_groups = [g.name for g in metadata.groups(pkg, org["name"])]
    try:
        dataset = portal.action("package_show", {"id": pkg.name})
    except NotFound:
        dataset = None

    if dataset and (dataset.get("organization") or {}).get("name") == org["name"]:
        org_exists = True
    else:
        org_exists = _exists(portal, "organization_show", org["name"])

    in_dataset = {g["name"] for g in (dataset or {}).get("groups", [])}
    groups = frozenset(name for name in wanted_groups if name in in_dataset or _exists(portal, "group_show", name))

    # Only our uploads: a resource whose record says "current" but whose file the portal lost
    # (a publish killed between the database commit and the file write) must be uploaded again.
    ours = [
        r
        for r in (dataset or {}).get("resources", [])
        if r.get(metadata.KEY_FIELD) and r.get("url_type") == "upload" and r.get("url")
    ]
    with ThreadPoolExecutor(max_workers=HEAD_WORKERS) as pool:  # HEADs are reads: a few at a time is polite
        lengths = list(pool.map(lambda r: portal.head(r["url"]), ours))
    downloads = {r["id"]: length for r, length in zip(ours, lengths)}
    series = fetch_series(portal, pkg, series_prefix) if datastore else {}
    missing = missing_tables(portal, dataset) if datastore else frozenset()
    return PortalState(org_exists, groups, dataset, downloads, series, missing)


def missing_tables(portal: Portal, dataset: dict | None) -> frozenset[str]:
    """Resources of a dataset not open yet that say their DataStore table is there and have none.

    A table resource is created marked `datastore_active` (so that loading it does not rewrite the
    whole dataset to say so), before its table exists: until the dataset opens, that mark is checked.
    An open dataset's tables were checked on the way to opening it: no call then.
    """
    if dataset is None or is_open(dataset):
        return frozenset()
    marked = [r["id"] for r in dataset.get("resources", []) if r.get(metadata.KEY_FIELD) and r.get("datastore_active")]

    def has_table(rid: str) -> bool:
        try:
            portal.action("datastore_info", {"id": rid})
        except NotFound:
            return False
        return True

    with ThreadPoolExecutor(max_workers=HEAD_WORKERS) as pool:  # reads, a few at a time
        return frozenset(rid for rid, found in zip(marked, pool.map(has_table, marked)) if not found)


def fetch_series(portal: Portal, pkg: LocalPackage, prefix: str | None = None) -> dict[str, dict | None]:
    """The series datasets this package adds its period to (one package_show each; None: not there yet)."""
    wanted = views.series_tables(pkg.descriptor)
    if not (pkg.descriptor.get("periodo") or {}).get("clave"):
        return {}
    names = [
        series_name(pkg, f.resource["name"], prefix)
        for f in pkg.files
        if f.kind == "table" and f.resource.get("name") in wanted
    ]

    def show(name: str) -> dict | None:
        try:
            return portal.action("package_show", {"id": name})
        except NotFound:
            return None

    with ThreadPoolExecutor(max_workers=HEAD_WORKERS) as pool:  # reads, a few at a time
        return dict(zip(names, pool.map(show, names)))


def _exists(portal: Portal, action: str, name: str) -> bool:
    try:
        found = portal.action(action, {"id": name, "include_datasets": False, "include_users": False})
    except NotFound:
        return False
    return found.get("state", "active") == "active"
