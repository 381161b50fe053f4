"""Fixtures for the local CKAN portal tests (real CKAN, real PostgreSQL and Redis).

The session fixture starts the test portal (its own database, port and state
folder: see ``instance.py``) with ``bash portal/start.sh`` when it does not
answer; if that fails the tests fail with the script's output: they are never
skipped silently.
"""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator

import ckanapi
import pytest
import requests

from . import instance

URL = instance.URL
TOKEN_FILE = instance.TOKEN_FILE


def portal_answers() -> bool:
    try:
        return requests.get(f"{URL}/api/3/action/status_show", timeout=3).ok
    except requests.RequestException:
        return False


def run_start_script() -> subprocess.CompletedProcess[str]:
    return instance.start()


@pytest.fixture(scope="session")
def portal() -> str:
    """The test portal's URL, started if needed (start.sh returns at once when it is up)."""
    result = run_start_script()
    assert result.returncode == 0, f"portal/start.sh failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    assert portal_answers(), f"no CKAN answering on {URL}"
    return URL


@pytest.fixture(scope="session")
def admin(portal: str) -> ckanapi.RemoteCKAN:
    """ckanapi client with the sysadmin token written by start.sh."""
    return ckanapi.RemoteCKAN(portal, apikey=TOKEN_FILE.read_text().strip())


@pytest.fixture(scope="session")
def anonymous(portal: str) -> ckanapi.RemoteCKAN:
    return ckanapi.RemoteCKAN(portal)


@pytest.fixture(scope="module")
def unique() -> str:
    """A suffix that makes this run's names unique."""
    return uuid.uuid4().hex[:8]


@pytest.fixture(scope="module")
def organization(admin: ckanapi.RemoteCKAN, unique: str) -> Iterator[dict]:
    org = admin.action.organization_create(name=f"test-org-{unique}", title=f"Secretaría de Pruebas {unique}")
    yield org
    for name in admin.action.package_search(
        fq=f"owner_org:{org['id']}", include_private=True, include_drafts=True, rows=1000, fl="name"
    )["results"]:
        admin.action.dataset_purge(id=name["name"])
    admin.action.organization_purge(id=org["id"])
