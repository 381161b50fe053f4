"""The building blocks every plan shares (the report dataset's and the series'): steps, the portal's state, the
comparison of a dataset's fields, its activation.

Pure, like the plans built from them (`plan.py` for the report dataset, `series.py` for the series datasets):
a step says what to send, `apply.py` sends it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pipelines.publish import metadata
from pipelines.publish.errors import ConflictError
from pipelines.publish.local import GUIDE_KEY

CREATE, UPDATE, UNCHANGED, DELETE = "create", "update", "unchanged", "delete"
VERBS = {CREATE: "crear", UPDATE: "actualizar", UNCHANGED: "sin cambios", DELETE: "borrar"}
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
    missing_tables: frozenset[str] = frozenset()  # resources marked datastore_active whose table is not there


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


def is_open(current: dict[str, Any] | None) -> bool:
    """The dataset exists and its creation finished (no PENDING mark): what it holds was checked on the way."""
    if current is None:
        return False
    return all(e["key"] != metadata.PENDING_EXTRA for e in current.get("extras", []))


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


def same(key: str, current: Any, desired: str) -> bool:
    now = "" if current is None else str(current)
    return now.lower() == desired.lower() if key == "format" else now == desired


def guide_link(dataset: dict[str, Any] | None) -> str | None:
    """The portal's link to the guide uploaded in this dataset, once it exists."""
    for r in (dataset or {}).get("resources", []):
        if r.get(metadata.KEY_FIELD) == GUIDE_KEY and r.get("url_type") == "upload" and r.get("url"):
            return r["url"]
    return None
