"""What a package folder offers for publication: its descriptor and the files to upload.

Each file gets a stable key (stored in the portal resource as
`rendicion_recurso`) so a re-publish finds "its" resource even if an
administrator renamed it, and a content hash so unchanged files are never
uploaded again.

The folder is untrusted input (see `safety`). Two steps keep it in its place:
`check_package` reads only datapackage.json and looks at (never reads) the
files it lists, so a bad name or path is refused before anything else is
read, written or sent, in dry-run too; `snapshot` then copies exactly those
files, without following symlinks, into the publisher's temporary work folder,
where the hashes, the zip and the uploads all come from. Nothing else in the
folder is ever opened: an unlisted file is not published.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from pipelines.paths import ROOT
from pipelines.publish.errors import PackageError
from pipelines.publish.safety import check_file, check_name, check_relative, open_file, show
from pipelines.publish.zip import build_zip

DESCRIPTOR = "datapackage.json"
DESCRIPTOR_KEY = "paquete:datapackage.json"
ZIP_KEY = "paquete:zip"
# The citizens' guide (docs/ciudadania.md of this project) goes up with every dataset: the description links it.
GUIDE_KEY = "guia:ciudadania"
GUIDE = ROOT / "docs" / "ciudadania.md"
# The data dictionary the build writes next to datapackage.json. It is not a descriptor resource, but the
# Data Package layout names README.md as the package's own documentation: it goes in the zip (only).
README = "README.md"
QUALITY = "calidad.json"
SNAPSHOT_DIR = "paquete"  # inside the work folder
DESCRIPTOR_WHAT = "descriptor del paquete"
README_WHAT = "diccionario de datos"


@dataclass(frozen=True)
class LocalFile:
    """One file that becomes one portal resource."""

    key: str
    path: Path  # the checked copy in the publisher's work folder, never the package folder itself
    upload_name: str
    sha256: str
    size: int
    kind: str  # "table" (a CSV with a schema), "data" (other package resource), "guide", "descriptor", "zip"
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


@dataclass(frozen=True)
class Member:
    """A file of the package the descriptor lists, checked but not yet read."""

    rel: str  # normalised POSIX path inside the package
    key: str
    kind: str  # "table" or "data"
    resource: dict[str, Any]
    index: int


@dataclass(frozen=True)
class CheckedPackage:
    """A package folder whose names and paths passed the checks; only the descriptor has been read."""

    folder: Path
    descriptor: dict[str, Any]
    descriptor_bytes: bytes  # exactly what was parsed: uploaded and zipped as is
    members: tuple[Member, ...]  # tables first, then the other resources (the portal's order)
    has_readme: bool

    @property
    def name(self) -> str:
        return self.descriptor["name"]

    @property
    def zip_members(self) -> list[str]:
        """What the zip holds: the listed files, datapackage.json and README.md when present."""
        extra = [DESCRIPTOR] + ([README] if self.has_readme else [])
        return sorted({m.rel for m in self.members} | set(extra))


def sha256_file(path: Path) -> str:
    """A file's sha256, read in blocks (a package's zip; a report file as `load_report` hashes it)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _paths(resource: dict[str, Any], what: str) -> list[str]:
    path = resource.get("path")
    if "path" not in resource:
        return []  # inline data: nothing to upload
    if isinstance(path, str):
        return [path]
    if isinstance(path, list) and path and all(isinstance(p, str) for p in path):
        return path
    raise PackageError(f"{what}: «path» {show(path)} no es una ruta ni una lista de rutas")


MAX_JSON_BYTES = 16 * 1024 * 1024
"""datapackage.json and calidad.json are read whole: a bad package cannot make the publisher hold more."""


def read_descriptor(folder: Path) -> tuple[dict[str, Any], bytes]:
    """datapackage.json (parsed and as bytes), or a PackageError saying why the folder is not a package."""
    if not folder.is_dir():
        raise PackageError(f"{folder}: no es una carpeta de paquete de datos")
    if not (folder / DESCRIPTOR).exists() and not (folder / DESCRIPTOR).is_symlink():
        raise PackageError(f"{folder}: falta {DESCRIPTOR}; ¿se ejecutó rendicion build?")
    check_file(folder, DESCRIPTOR, DESCRIPTOR_WHAT)
    with open_file(folder, DESCRIPTOR, DESCRIPTOR_WHAT) as handle:
        raw = handle.read(MAX_JSON_BYTES + 1)
    if len(raw) > MAX_JSON_BYTES:
        raise PackageError(f"{folder / DESCRIPTOR}: más de {MAX_JSON_BYTES} bytes; un descriptor ocupa kilobytes")
    try:
        descriptor = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise PackageError(f"{folder / DESCRIPTOR}: JSON no válido ({error})") from None
    if (
        not isinstance(descriptor, dict)
        or not descriptor.get("name")
        or not isinstance(descriptor.get("resources"), list)
    ):
        raise PackageError(f"{folder / DESCRIPTOR}: faltan «name» o «resources»")
    return descriptor, raw


def check_package(folder: Path) -> CheckedPackage:
    """Read datapackage.json and check every name and listed path; reads, writes and sends nothing else."""
    folder = Path(folder).resolve()
    descriptor, raw = read_descriptor(folder)
    check_name(descriptor["name"], "del paquete")
    tables: list[Member] = []
    others: list[Member] = []
    seen: set[str] = set()
    for index, resource in enumerate(descriptor["resources"]):
        if not isinstance(resource, dict):
            raise PackageError(f"el recurso n.º {index + 1} de {DESCRIPTOR} no es un objeto")
        name = check_name(resource.get("name"), f"del recurso n.º {index + 1}")
        if name in seen:
            raise PackageError(f"dos recursos se llaman «{name}»; el nombre de recurso debe ser único")
        seen.add(name)
        what = f"recurso «{name}»"
        paths = _paths(resource, what)
        is_table = resource.get("type") == "table" or str(resource.get("format", "")).lower() == "csv"
        target = tables if is_table and "schema" in resource else others
        for part, given in enumerate(paths):
            rel = check_relative(given, what)
            check_file(folder, rel, what)
            key = f"recurso:{name}" if len(paths) == 1 else f"recurso:{name}:{part + 1}"
            target.append(Member(rel, key, "table" if target is tables else "data", resource, index))
    names = [PurePosixPath(m.rel).name for m in (*tables, *others)]
    if len(set(names)) != len(names):
        raise PackageError("dos recursos comparten nombre de archivo; el portal los confundiría")
    has_readme = (folder / README).exists() or (folder / README).is_symlink()
    if has_readme:
        check_file(folder, README, README_WHAT)
    return CheckedPackage(folder, descriptor, raw, (*tables, *others), has_readme)


def _copy(folder: Path, rel: str, target: Path, what: str) -> tuple[str, int]:
    """Copy one checked file into the snapshot without following symlinks; its (sha256, size)."""
    digest = hashlib.sha256()
    size = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with open_file(folder, rel, what) as source, target.open("xb") as out:
        for chunk in iter(lambda: source.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return digest.hexdigest(), size


def snapshot(checked: CheckedPackage, workdir: Path) -> LocalPackage:
    """Copy the listed files into `workdir`, hash them and build the zip there (never inside the package).

    Everything goes in a fresh folder under `workdir`, so a reused work folder never mixes two loads.
    """
    own = Path(tempfile.mkdtemp(prefix="carga-", dir=Path(workdir).resolve()))
    root = own / SNAPSHOT_DIR
    root.mkdir()
    copied: dict[str, tuple[str, int]] = {}
    for member in checked.members:
        if member.rel not in copied:
            what = f"recurso «{member.resource['name']}»"
            copied[member.rel] = _copy(checked.folder, member.rel, root / member.rel, what)
    if checked.has_readme and README not in copied:
        copied[README] = _copy(checked.folder, README, root / README, README_WHAT)
    (root / DESCRIPTOR).write_bytes(checked.descriptor_bytes)  # what was checked, even if listed as a resource
    copied[DESCRIPTOR] = (hashlib.sha256(checked.descriptor_bytes).hexdigest(), len(checked.descriptor_bytes))

    files = [
        LocalFile(
            key=m.key,
            path=root / m.rel,
            upload_name=PurePosixPath(m.rel).name,
            sha256=copied[m.rel][0],
            size=copied[m.rel][1],
            kind=m.kind,
            resource=m.resource,
            index=m.index,
        )
        for m in checked.members
    ]
    guide = guide_file(own)
    if guide is not None:
        files.append(guide)
    files.append(LocalFile(DESCRIPTOR_KEY, root / DESCRIPTOR, DESCRIPTOR, *copied[DESCRIPTOR], "descriptor"))
    zip_path = own / f"{checked.name}.zip"  # the name passed check_name: no separator, no «..»
    if zip_path.parent != own:
        raise PackageError(f"el nombre del paquete {show(checked.name)} no es válido")
    build_zip(root, checked.zip_members, zip_path)
    files.append(LocalFile(ZIP_KEY, zip_path, zip_path.name, sha256_file(zip_path), zip_path.stat().st_size, "zip"))
    return LocalPackage(checked.folder, checked.descriptor, tuple(files), _quality(root, copied))


def guide_file(workdir: Path) -> LocalFile | None:
    """The citizens' guide, copied into the work folder (None when this installation has no docs/)."""
    if not GUIDE.is_file():
        return None
    target = Path(workdir) / "guia" / GUIDE.name
    target.parent.mkdir(parents=True, exist_ok=True)
    data = GUIDE.read_bytes()
    target.write_bytes(data)
    return LocalFile(GUIDE_KEY, target, GUIDE.name, hashlib.sha256(data).hexdigest(), len(data), "guide")


def _quality(root: Path, copied: dict[str, tuple[str, int]]) -> dict[str, Any] | None:
    """The quality report for the dataset's notes, when the descriptor lists it (an unlisted one is not read)."""
    if QUALITY not in copied:
        return None
    if copied[QUALITY][1] > MAX_JSON_BYTES:
        raise PackageError(f"{QUALITY}: más de {MAX_JSON_BYTES} bytes; un informe de calidad ocupa kilobytes")
    try:
        quality = json.loads((root / QUALITY).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise PackageError(f"{QUALITY}: JSON no válido ({error})") from None
    if not isinstance(quality, dict):
        raise PackageError(f"{QUALITY}: se esperaba un objeto JSON")
    return quality


def load_package(folder: Path, workdir: Path) -> LocalPackage:
    """Check the package folder, then snapshot it into `workdir` (see the module docstring)."""
    return snapshot(check_package(folder), workdir)
