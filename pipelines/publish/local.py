"""What a package folder offers for publication: its descriptor and the files to upload.

Each file gets a stable key (stored in the portal resource as
`rendicion_recurso`) so a re-publish finds "its" resource even if an
administrator renamed it, and a content hash so unchanged files are never
uploaded again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.publish.errors import PackageError
from pipelines.publish.zip import build_zip

DESCRIPTOR = "datapackage.json"
DESCRIPTOR_KEY = "paquete:datapackage.json"
ZIP_KEY = "paquete:zip"


@dataclass(frozen=True)
class LocalFile:
    """One file that becomes one portal resource."""

    key: str
    path: Path
    upload_name: str
    sha256: str
    size: int
    kind: str  # "table" (a CSV with a schema), "data" (other package resource), "descriptor", "zip"
    resource: dict[str, Any] = field(default_factory=dict)  # the datapackage.json entry, if any
    index: int | None = None  # position in datapackage.json `resources`


@dataclass(frozen=True)
class LocalPackage:
    folder: Path
    descriptor: dict[str, Any]
    files: tuple[LocalFile, ...]  # in the order the portal should list them
    quality: dict[str, Any] | None

    @property
    def name(self) -> str:
        return self.descriptor["name"]

    def file(self, key: str) -> LocalFile:
        for f in self.files:
            if f.key == key:
                return f
        raise KeyError(key)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _local_file(key: str, path: Path, kind: str, upload_name: str | None = None, **extra: Any) -> LocalFile:
    return LocalFile(key=key, path=path, upload_name=upload_name or path.name, sha256=sha256_file(path),
                     size=path.stat().st_size, kind=kind, **extra)


def _paths(resource: dict[str, Any]) -> list[str]:
    path = resource.get("path")
    if isinstance(path, str):
        return [path]
    if isinstance(path, list) and all(isinstance(p, str) for p in path):
        return path
    return []  # inline data or a remote URL: nothing to upload


def read_descriptor(folder: Path) -> dict[str, Any]:
    """datapackage.json, or a PackageError saying why the folder is not a package."""
    if not folder.is_dir():
        raise PackageError(f"{folder}: no es una carpeta de paquete de datos")
    descriptor_path = folder / DESCRIPTOR
    if not descriptor_path.is_file():
        raise PackageError(f"{folder}: falta {DESCRIPTOR}; ¿se ejecutó rendicion build?")
    try:
        descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PackageError(f"{descriptor_path}: JSON no válido ({error})") from None
    if not isinstance(descriptor, dict) or not descriptor.get("name") or not isinstance(
            descriptor.get("resources"), list):
        raise PackageError(f"{descriptor_path}: faltan «name» o «resources»")
    return descriptor


def load_package(folder: Path, workdir: Path) -> LocalPackage:
    """Read the package, hash its files and build its zip in `workdir` (never inside the package)."""
    folder = folder.resolve()
    descriptor = read_descriptor(folder)
    tables: list[LocalFile] = []
    others: list[LocalFile] = []
    for index, resource in enumerate(descriptor["resources"]):
        name = resource.get("name")
        paths = _paths(resource)
        for part, rel in enumerate(paths):
            path = (folder / rel).resolve()
            if folder not in path.parents or not path.is_file():
                raise PackageError(f"{folder.name}: el recurso «{name}» remite a {rel}, que no existe en el paquete")
            key = f"recurso:{name}" if len(paths) == 1 else f"recurso:{name}:{part + 1}"
            is_table = resource.get("type") == "table" or str(resource.get("format", "")).lower() == "csv"
            target = tables if is_table and "schema" in resource else others
            target.append(_local_file(key, path, "table" if target is tables else "data",
                                      resource=resource, index=index))
    descriptor_file = _local_file(DESCRIPTOR_KEY, folder / DESCRIPTOR, "descriptor")
    zip_path = build_zip(folder, workdir / f"{descriptor['name']}.zip")
    zip_file = _local_file(ZIP_KEY, zip_path, "zip")
    names = [f.upload_name for f in (*tables, *others)]
    if len(set(names)) != len(names):
        raise PackageError(f"{folder.name}: dos recursos comparten nombre de archivo; el portal los confundiría")
    quality = None
    if (folder / "calidad.json").is_file():
        quality = json.loads((folder / "calidad.json").read_text(encoding="utf-8"))
    return LocalPackage(folder, descriptor, (*tables, *others, descriptor_file, zip_file), quality)
