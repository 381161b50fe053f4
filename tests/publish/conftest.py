"""Fixtures for the publisher: package copies with unique names, and the real local portal.

Service tests use the test portal (its own database, port and state folder:
tests/portal/instance.py), never the developer's, and their own dataset names
(`prueba-<random>`), purged at the end, so they pass on a portal that already
holds the bundled dataset and can run again and again. While they run, the
environment points at the test portal, so `bash portal/stop.sh`, `start.sh` and
`python -m pipelines.publish` in a test reach it too.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from pipelines.paths import DATAPACKAGES_DIR, ROOT
from tests.portal import instance

PORTAL_URL = instance.URL
BUNDLED_PACKAGE = DATAPACKAGES_DIR / "sosep-informe-cuatrimestral-2021-1"
TOKEN_FILE = instance.TOKEN_FILE


@pytest.fixture(scope="package", autouse=True)
def test_portal_environment() -> Iterator[None]:
    """RENDICION_PORTAL_* and CKAN_URL name the test portal while this package's tests run."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {**instance.ENV, "CKAN_URL": instance.URL}.items():
            patch.setenv(name, value)
        yield


def copy_package(target_root: Path, name: str, source: Path = BUNDLED_PACKAGE) -> Path:
    """The bundled package under another name (the dataset name on the portal follows it)."""
    if not (source / "datapackage.json").is_file():
        subprocess.run(
            [
                str(ROOT / ".venv" / "bin" / "rendicion"),
                "build",
                str(ROOT / "reports" / "sosep-2021-cuatrimestre-1.txt"),
            ],
            check=True,
            cwd=ROOT,
        )
    target = target_root / name
    shutil.copytree(source, target)
    descriptor = json.loads((target / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["name"] = name
    (target / "datapackage.json").write_text(
        json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return target


@pytest.fixture
def package_copy(tmp_path: Path) -> Callable[[str], Path]:
    return lambda name: copy_package(tmp_path, name)


def _status_ok(url: str) -> bool:
    try:
        return requests.get(f"{url}/api/3/action/status_show", timeout=3).ok
    except requests.RequestException:
        return False


def ensure_portal() -> tuple[str, str]:
    """Start the test portal if needed (at once when it is up); fail loudly (never skip) if it cannot start."""
    done = instance.start(timeout=1800)
    if done.returncode != 0 or not _status_ok(PORTAL_URL):
        pytest.fail(f"portal/start.sh failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    token = TOKEN_FILE.read_text(encoding="utf-8").strip()
    assert token, "portal/start.sh wrote no token"
    return PORTAL_URL, token


class Api:
    """Tiny direct API client for assertions (independent of the code under test)."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token

    def __call__(self, action: str, **data) -> dict:
        response = requests.post(
            f"{self.url}/api/3/action/{action}", json=data, headers={"Authorization": self.token}, timeout=30
        )
        body = response.json()
        if not body.get("success"):
            raise LookupError(f"{action}: {response.status_code} {body.get('error')}")
        return body["result"]

    def show(self, name: str) -> dict | None:
        try:
            return self("package_show", id=name)
        except LookupError:
            return None

    def download(self, url: str) -> bytes:
        response = requests.get(url, headers={"Authorization": self.token}, timeout=30)
        response.raise_for_status()
        return response.content


@pytest.fixture(scope="session")
def portal() -> Iterator[Api]:
    url, token = ensure_portal()
    api = Api(url, token)
    api.created = []  # type: ignore[attr-defined]
    yield api
    for name in api.created:  # type: ignore[attr-defined]
        try:
            api("dataset_purge", id=name)
        except (LookupError, requests.RequestException):
            pass


@pytest.fixture
def unique_name(portal: Api) -> Callable[[], str]:
    def make() -> str:
        name = f"prueba-{uuid.uuid4().hex[:10]}"
        portal.created.append(name)  # type: ignore[attr-defined]
        return name

    return make
