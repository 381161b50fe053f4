"""Read what the portal holds for one package: as few calls as the answer allows.

A no-op publish should cost one `package_show` (plus a HEAD per uploaded
file): when the dataset already sits in our organization and our groups,
those exist and need no lookup of their own.
"""

from __future__ import annotations

from pipelines.publish import metadata
from pipelines.publish.client import NotFound, Portal
from pipelines.publish.local import LocalPackage
from pipelines.publish.plan import PortalState


def fetch_state(portal: Portal, pkg: LocalPackage) -> PortalState:
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
    groups = frozenset(name for name in wanted_groups
                       if name in in_dataset or _exists(portal, "group_show", name))

    downloads: dict[str, int | None] = {}
    for resource in (dataset or {}).get("resources", []):
        # Only our uploads: a resource whose record says "current" but whose file the portal lost
        # (a publish killed between the database commit and the file write) must be uploaded again.
        if resource.get(metadata.KEY_FIELD) and resource.get("url_type") == "upload" and resource.get("url"):
            downloads[resource["id"]] = portal.head(resource["url"])
    return PortalState(org_exists, groups, dataset, downloads)


def _exists(portal: Portal, action: str, name: str) -> bool:
    try:
        found = portal.action(action, {"id": name, "include_datasets": False, "include_users": False})
    except NotFound:
        return False
    return found.get("state", "active") == "active"
