"""A hostile package folder cannot make the publisher zip, read or write what it should not (issue 11, point 4).

The zip holds exactly what the descriptor lists (plus datapackage.json and the
README.md data dictionary); symlinks are never followed; package and resource
names and resource paths are checked before anything is read, written or sent,
in dry-run too. No portal is needed: a `fetch_state` that records its calls
proves nothing was sent.
"""

from __future__ import annotations

import json
import os
import socket
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import pipelines.publish.publish as publish_module
from pipelines.publish.cli import publish_main
from pipelines.publish.errors import PackageError, PublishError
from pipelines.publish.local import ZIP_KEY, load_package
from pipelines.publish.safety import open_file

SECRET = "CLAVE-SECRETA-NO-PUBLICAR"


def _edit(folder: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = folder / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    change(descriptor)
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _resource(descriptor: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in descriptor["resources"] if r["name"] == name)


def _listed(folder: Path) -> set[str]:
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    return {r["path"] for r in descriptor["resources"]} | {"datapackage.json", "README.md"}


def _zip_names(folder: Path, work: Path) -> list[str]:
    work.mkdir()
    with zipfile.ZipFile(load_package(folder, work).file(ZIP_KEY).path) as archive:
        assert all(SECRET.encode() not in archive.read(n) for n in archive.namelist())
        return archive.namelist()


def _tree(root: Path) -> dict[str, int]:
    """Every entry under root (symlinks not followed) with its size: a write anywhere changes it."""
    found = {}
    for base, dirs, files in os.walk(root):
        for entry in dirs + files:
            path = Path(base, entry)
            found[path.relative_to(root).as_posix()] = path.lstat().st_size
    return found


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secreto.csv"
    path.write_text(f"clave\n{SECRET}\n", encoding="utf-8")
    return path


@pytest.fixture
def folder(package_copy: Callable[[str], Path]) -> Path:
    return package_copy("prueba-seguridad")


@pytest.fixture
def nothing_sent(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """fetch_state is the publisher's first contact with the portal: record any call and stop there."""
    calls: list[str] = []

    def fetch_state(portal: Any, pkg: Any) -> None:
        calls.append(pkg.name)
        raise PublishError("se consultó el portal")

    monkeypatch.setattr(publish_module, "fetch_state", fetch_state)
    return calls


def _free_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_extra_unlisted_file_is_not_zipped(folder, tmp_path):
    (folder / "notas-internas.txt").write_text("borrador\n", encoding="utf-8")
    (folder / "data" / "borrador.csv").write_text("a\n1\n", encoding="utf-8")
    (folder / "privado").mkdir()
    (folder / "privado" / "x.json").write_text("{}", encoding="utf-8")
    names = _zip_names(folder, tmp_path / "work")
    assert set(names) == _listed(folder) and names == sorted(names)


def test_symlinked_extra_file_is_not_zipped(folder, tmp_path, secret):
    (folder / "enlace.csv").symlink_to(secret)
    (folder / "data" / "extra.csv").symlink_to(secret)
    (folder / "otra-carpeta").symlink_to(secret.parent, target_is_directory=True)
    names = _zip_names(folder, tmp_path / "work")
    assert set(names) == _listed(folder)


@pytest.mark.parametrize("target", ["secret", "inside"])
def test_resource_that_is_a_symlink_is_refused(folder, tmp_path, secret, target, nothing_sent, capsys):
    csv = folder / "data" / "albergues.csv"
    csv.unlink()
    csv.symlink_to(secret if target == "secret" else folder / "data" / "departamentos.csv")
    with pytest.raises(PackageError, match="enlace simbólico.*data/albergues.csv"):
        load_package(folder, tmp_path)
    assert publish_main([folder], _free_url(), dry_run=True) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: ") and "enlace simbólico" in err
    assert SECRET not in err and not nothing_sent


def test_resource_under_a_symlinked_folder_is_refused(folder, tmp_path):
    outside = tmp_path / "fuera"
    (folder / "data").rename(outside)
    (folder / "data").symlink_to(outside, target_is_directory=True)
    with pytest.raises(PackageError, match="enlace simbólico"):
        load_package(folder, tmp_path)


def test_symlinked_descriptor_is_refused(folder, tmp_path):
    real = tmp_path / "otro.json"
    (folder / "datapackage.json").rename(real)
    (folder / "datapackage.json").symlink_to(real)
    with pytest.raises(PackageError, match="enlace simbólico"):
        load_package(folder, tmp_path)


@pytest.mark.parametrize(
    "path", ["../outside.csv", "data/../calidad.json", "/etc/hostname", "data\\albergues.csv", ".oculto/x.csv", ""]
)
def test_resource_path_outside_or_not_plain_is_refused(folder, tmp_path, path, nothing_sent, capsys):
    (tmp_path / "outside.csv").write_text("a\n1\n", encoding="utf-8")
    _edit(folder, lambda d: _resource(d, "albergues").update(path=path))
    with pytest.raises(PackageError, match="«albergues»"):
        load_package(folder, tmp_path / "no-se-crea")
    assert not (tmp_path / "no-se-crea").exists()
    assert publish_main([folder], _free_url(), dry_run=True) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "albergues" in err and not nothing_sent


@pytest.mark.parametrize("dry_run", [True, False])
@pytest.mark.parametrize("name", ["../../x", "../../../somewhere/escaped", "a/b", "..", "Mayusculas", ".oculto"])
def test_package_name_with_a_path_is_refused_and_nothing_is_written(
    folder, tmp_path, monkeypatch, nothing_sent, capsys, name, dry_run
):
    _edit(folder, lambda d: d.update(name=name))
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    (tmp_path / "tmp").mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))  # the publisher's work folder lives here
    monkeypatch.setenv("CKAN_API_TOKEN", "token-de-prueba")
    before = _tree(tmp_path)  # the package folder, its parent, the cwd and the temporary folder
    assert publish_main([folder], _free_url(), dry_run=dry_run) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "nombre del paquete" in err
    assert _tree(tmp_path) == before and not nothing_sent


@pytest.mark.parametrize("name", ["../x", "a/b", "Albergues", None, "departamentos"])
def test_resource_name_is_checked(folder, tmp_path, name):
    _edit(folder, lambda d: _resource(d, "albergues").update(name=name))
    with pytest.raises(PackageError, match="recurso"):
        load_package(folder, tmp_path / "no-se-crea")
    assert not (tmp_path / "no-se-crea").exists()


def test_symlinked_readme_is_refused(folder, tmp_path, secret):
    (folder / "README.md").unlink()
    (folder / "README.md").symlink_to(secret)
    with pytest.raises(PackageError, match="enlace simbólico.*README.md"):
        load_package(folder, tmp_path)


def test_package_without_readme_still_publishes(folder, tmp_path):
    (folder / "README.md").unlink()
    names = _zip_names(folder, tmp_path / "work")
    assert "README.md" not in names and "datapackage.json" in names


def test_uploads_are_the_checked_bytes_not_the_folder(folder, tmp_path):
    """Hashes, zip and uploads read one snapshot: a file swapped after the checks cannot slip in."""
    pkg = load_package(folder, tmp_path)
    table = pkg.file("recurso:albergues")
    before = table.path.read_bytes()
    (folder / "data" / "albergues.csv").unlink()
    (folder / "data" / "albergues.csv").write_text("cambiado\n", encoding="utf-8")
    assert table.path.read_bytes() == before and tmp_path in table.path.parents


def test_reads_never_follow_a_symlink_swapped_in_after_the_checks(folder, tmp_path, secret):
    """The last guard: every read opens each path component with O_NOFOLLOW, whatever check_file said before."""
    csv = folder / "data" / "albergues.csv"
    csv.unlink()
    csv.symlink_to(secret)
    with pytest.raises(PackageError, match="enlace simbólico"):
        open_file(folder, "data/albergues.csv", "recurso «albergues»")
    outside = tmp_path / "fuera"
    (folder / "data").rename(outside)
    (folder / "data").symlink_to(outside, target_is_directory=True)
    with pytest.raises(PackageError, match="enlace simbólico"):
        open_file(folder, "data/departamentos.csv", "recurso «departamentos»")
    with open_file(folder, "calidad.json", "recurso «calidad»") as handle:
        assert handle.read() == (folder / "calidad.json").read_bytes()
