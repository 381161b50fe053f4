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

from pipelines.publish import metadata
from pipelines.publish.errors import ConflictError
from pipelines.publish.local import DESCRIPTOR_KEY, LocalPackage

CREATE, UPDATE, UNCHANGED, DELETE = "create", "update", "unchanged", "delete"
VERBS = {CREATE: "crear", UPDATE: "actualizar", UNCHANGED: "sin cambios", DELETE: "borrar"}
PENDING_URL = "(enlace pendiente: datapackage.json aún no está en el portal)"
DATASET_FIELDS = ("title", "notes", "license_id", "version", "url")


@dataclass(frozen=True)
class PortalState:
    """What fetch.py found: only what the plan needs."""

    organization_exists: bool
    existing_groups: frozenset[str]
    dataset: dict[str, Any] | None  # package_show, or None if there is no such dataset
    downloads: dict[str, int | None] = field(default_factory=dict)  # resource id → Content-Length (None: missing)


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

    @property
    def activate(self) -> bool:
        return self.activation is not None

    @property
    def steps(self) -> tuple[Step, ...]:
        return (self.organization, *self.groups, self.dataset, *self.resources)

    @property
    def changes(self) -> bool:
        return self.reorder or self.activate or any(s.action != UNCHANGED for s in self.steps)

    def counts(self) -> dict[str, int]:
        found = {CREATE: 0, UPDATE: 0, UNCHANGED: 0, DELETE: 0}
        for step in self.steps:
            found[step.action] += 1
        found["uploads"] = sum(s.upload for s in self.resources)
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
        if self.activate:
            out.append("conjunto: publicar (estado activo)")
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
        payload.update(tags=[{"name": t} for t in desired["tags"]], groups=[{"name": g} for g in desired["groups"]],
                       extras=_extras_list(pending), state="draft", private=True)
        return Step("conjunto", name, CREATE, payload=payload)
    owner = (current.get("organization") or {}).get("name")
    if owner != desired["owner_org"]:
        raise ConflictError(f"el conjunto «{name}» ya existe en el portal en la organización «{owner}», no en "
                            f"«{desired['owner_org']}»; no se sobrescribe")
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


def resource_steps(pkg: LocalPackage, current: dict[str, Any] | None,
                   downloads: dict[str, int | None]) -> tuple[list[Step], bool, str | None]:
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
            deletions += [Step("recurso", f.key, DELETE, ("duplicado",), resource_id=r["id"])
                          for r in matches if r is not best]
    wanted = {f.key for f in pkg.files}
    deletions += [Step("recurso", key, DELETE, ("ya no está en el paquete",), resource_id=r["id"])
                  for key, rs in by_key.items() if key not in wanted for r in rs]

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
        upload = (r.get("hash") != f.sha256 or r.get("url_type") != "upload"
                  or _filename(r.get("url", "")) != f.upload_name or not present(r, f.size))
        if upload and "hash" not in fields:
            fields += ("archivo",)
        action = UPDATE if fields or upload else UNCHANGED
        steps.append(Step("recurso", f.key, action, fields, upload, resource_id=r["id"], download_url=link))
    # A new descriptor goes up first: the tables' schema links point at its URL.
    steps.sort(key=lambda s: not (s.key == DESCRIPTOR_KEY and s.action == CREATE))

    # Order after the steps run: surviving resources keep their place, new ones are appended in step order.
    deleted = {s.resource_id for s in deletions}
    after = [r.get(metadata.KEY_FIELD) for r in resources if r["id"] not in deleted and r.get(metadata.KEY_FIELD)
             and r is kept.get(r.get(metadata.KEY_FIELD))]
    after += [s.key for s in steps if s.action == CREATE]
    reorder = after != [f.key for f in pkg.files]
    return steps + deletions, reorder, descriptor["url"] if descriptor else None


def make_plan(pkg: LocalPackage, state: PortalState) -> Plan:
    org = metadata.organization(pkg)
    group_specs = metadata.groups(pkg, org["name"])
    desired = metadata.dataset(pkg, org, group_specs)
    org_step = Step("organización", org["name"], UNCHANGED if state.organization_exists else CREATE, payload=org)
    group_steps = tuple(
        Step("grupo", g.name, UNCHANGED if g.name in state.existing_groups else CREATE,
             payload={"name": g.name, "title": g.title, "description": g.description})
        for g in group_specs)
    ds_step = dataset_step(state.dataset, desired)
    resources, reorder, descriptor_url = resource_steps(pkg, state.dataset, state.downloads)
    return Plan(org_step, group_steps, ds_step, tuple(resources), reorder, activation(state.dataset, desired),
                descriptor_url)
