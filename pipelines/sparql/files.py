"""The packages' files at their IRIs: what each distribution's `dcat:downloadURL` names, served.

The graph names every file of a package by an IRI under the base
(`<base>paquete/<package>/data/albergues.csv`, `…/datapackage.json`,
`…/grafo.ttl`), and w3id.org redirects every such IRI to the same path on
this server: without this, a researcher following a download link got a 404.

Only what a package declares is served: its `datapackage.json` and the paths
its resources list, inside its own folder, as regular files (no symlink, no
`..`, no other file of the folder). Files are streamed, never read whole.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

DESCRIPTOR = "datapackage.json"
MAX_DESCRIPTOR_BYTES = 16 * 1024 * 1024
"""Read on every request for a file: a descriptor larger than any build writes is not read at all."""
PACKAGE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}")
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
    paths = {DESCRIPTOR}
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
        self.folder = folder

    def find(self, path: str) -> Path | None:
        """The file `/paquete/<package>/<relative path>` stands for, or None (not a declared file: a 404)."""
        parts = unquote(path).lstrip("/").split("/", 2)
        if len(parts) != 3 or parts[0] != "paquete" or not PACKAGE_NAME.fullmatch(parts[1]):
            return None
        package, relative = self.folder / parts[1], parts[2]
        pure = PurePosixPath(relative)
        if pure.is_absolute() or ".." in pure.parts or "\\" in relative or "\x00" in relative:
            return None
        try:
            if (package / DESCRIPTOR).stat().st_size > MAX_DESCRIPTOR_BYTES:
                return None
            descriptor = json.loads((package / DESCRIPTOR).read_bytes())
        except (OSError, ValueError, RecursionError):
            return None
        if relative not in declared_paths(descriptor):
            return None
        target = package
        try:
            for step in ("", *pure.parts):  # the package folder and every folder on the way: no symlink
                target = target / step if step else target
                if target.is_symlink():
                    return None
            return target if target.is_file() else None
        except OSError:
            return None

    @staticmethod
    def media_type(target: Path) -> str:
        return MEDIA_TYPES.get(target.suffix.lower(), "application/octet-stream")
