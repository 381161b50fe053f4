"""Carry out a plan against the portal, in an order that is safe to interrupt.

Order: organization and groups, the dataset (created private, as a draft
when the token may set states, so a half-published dataset is never public), the descriptor (the tables' schema
links need its URL), the other resources (each new upload followed by a patch that records its
download link as `download_url`, known only once the portal has named the file), duplicate/stale deletions, the
order of resources, and last the switch of the dataset to active. Stopping
anywhere leaves a state the next run's plan repairs.
"""

from __future__ import annotations

from typing import Any, Callable

from pipelines.publish import metadata
from pipelines.publish.client import Portal
from pipelines.publish.local import DESCRIPTOR_KEY, LocalPackage
from pipelines.publish.plan import CREATE, DELETE, UNCHANGED, UPDATE, Plan


def apply_plan(portal: Portal, pkg: LocalPackage, plan: Plan, log: Callable[[str], None]) -> dict[str, Any]:
    """Run every step that changes something; returns the dataset as package_show last saw it."""
    org = plan.organization
    if org.action == CREATE:
        log(f"  organización {org.key}: crear")
        portal.action("organization_create", org.payload)
    for group in plan.groups:
        if group.action == CREATE:
            log(f"  grupo {group.key}: crear")
            portal.action("group_create", group.payload)

    ds = plan.dataset
    if ds.action == CREATE:
        log(f"  conjunto {ds.key}: crear (privado hasta terminar)")
        dataset = portal.action("package_create", ds.payload)
    elif ds.action == UPDATE:
        log(f"  conjunto {ds.key}: actualizar {', '.join(ds.fields)}")
        dataset = portal.action("package_patch", ds.payload)
    else:
        dataset = None
    dataset_id = dataset["id"] if dataset else pkg.name

    ids: dict[str, str] = {}  # resource key → id after this run
    descriptor_url = plan.descriptor_url  # known, or set below when the descriptor goes up (first)
    for step in plan.resources:
        if step.action == DELETE:
            continue
        if step.action == UNCHANGED:
            ids[step.key] = step.resource_id or ""
            continue
        f = pkg.file(step.key)
        fields = metadata.resource(f, pkg, descriptor_url, step.download_url)
        upload = (f.upload_name, f.path) if step.upload else None
        if step.action == CREATE:
            log(f"  recurso {_label(step.key)}: crear y subir {f.upload_name}")
            result = portal.action("resource_create", {"package_id": dataset_id, **fields}, upload=upload)
        else:
            what = ", ".join(step.fields) + (" [subir archivo]" if step.upload else "")
            log(f"  recurso {_label(step.key)}: actualizar {what}")
            result = portal.action("resource_patch", {"id": step.resource_id, **fields}, upload=upload)
        result = _set_download_url(portal, step.key, result, log)
        ids[step.key] = result["id"]
        if step.key == DESCRIPTOR_KEY:
            descriptor_url = result["url"]

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

    if plan.activation is not None:
        log(f"  conjunto {ds.key}: publicar (activo y público)")
        dataset = portal.action("package_patch", {"id": dataset_id, **plan.activation})
    return dataset or {}


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
