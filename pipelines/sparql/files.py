"""The packages' files at their IRIs: what each distribution's `dcat:downloadURL` names, served.

The graph names every file of a package by an IRI under the base
(`<base>paquete/<package>/data/albergues.csv`, `…/datapackage.json`,
`…/grafo.ttl`), and w3id.org redirects every such IRI to the same path on
this server: without this, a researcher following a download link got a 404.

Only what a package declares is served: its `datapackage.json` and the paths
its resources list, read by the publisher's own rules for a package folder
(`pipelines.publish.safety`: a safe name, a relative path without `..` or
hidden parts, no symlink on the way, opened without following one). Files are
streamed, never read whole.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote

MEDIA_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
    ".jsonld": "application/ld+json",
    ".ttl": "text/turtle; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".zip": "application/zip",
}
"""What a package holds, by suffix; a declared file of any other kind is served as bytes."""


def declared_paths(descriptor: object) -> set[str]:
    """The relative paths a descriptor lists: every resource's `path` (a string or a list of them)."""
    paths = set()
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    for resource in resources if isinstance(resources, list) else []:
        path = resource.get("path") if isinstance(resource, dict) else None
        for one in path if isinstance(path, list) else [path]:
            if isinstance(one, str):
                paths.add(one)
    return paths


class PackageFiles:
    """The files of the packages under `folder`, found by the local path of their IRI."""

    def __init__(self, folder: Path) -> None:
        # Imported here, not at the top: the query workers import this module and need nothing of the
        # publisher (importing it loads ckanapi and Frictionless, ~0.2 s and memory under their cap).
        from pipelines.publish import local, safety

        self.folder, self.local, self.safety = folder, local, safety

    def find(self, path: str) -> str | None:
        """`<package>/<relative path>` under the folder for the IRI path `/paquete/<package>/<relative path>`,
        when that package's descriptor lists it and the publisher's rules let it be read; else None (a 404)."""
        parts = unquote(path).lstrip("/").split("/", 2)
        if len(parts) != 3 or parts[0] != "paquete":
            return None
        name, relative = parts[1], parts[2]
        try:
            self.safety.check_name(name, "del paquete")
            wanted = f"{name}/{self.safety.check_relative(relative, 'archivo')}"
            descriptor_path = f"{name}/{self.local.DESCRIPTOR}"
            with self.open(descriptor_path) as handle:
                raw = handle.read(self.local.MAX_JSON_BYTES + 1)
            if len(raw) > self.local.MAX_JSON_BYTES:
                return None
            declared = {self.local.DESCRIPTOR, *declared_paths(json.loads(raw))}
            if relative not in declared:
                return None
            self.safety.check_file(self.folder, wanted, "archivo")
        except (self.safety.PackageError, ValueError, RecursionError):
            return None
        return wanted

    def open(self, found: str) -> BinaryIO:
        """A file `find` gave, opened without following a symlink swapped in since (PackageError if one was)."""
        return self.safety.open_file(self.folder, found, "archivo")

    @staticmethod
    def media_type(found: str) -> str:
        return MEDIA_TYPES.get(Path(found).suffix.lower(), "application/octet-stream")
