"""The CKAN portal the tests use: its own database, port and state folder, never the developer's.

`make portal` serves the database `ckan_rendicion` on 127.0.0.1:5000 from `.portal/`. The tests
start the same `portal/start.sh` with `ckan_rendicion_pruebas` on 127.0.0.1:5001 from
`.portal/pruebas/` (the CKAN virtualenv `.portal/venv` is shared). It stays up after the tests,
like the developer's portal, so the next run starts in a fraction of a second; to stop it:
`RENDICION_PORTAL_STATE=.portal/pruebas make portal-stop`.

Its file store is `.portal/storage`, the default portal's: files are named by resource id, so two
portals can share it, and tests/publish/test_portal.py removes an uploaded file there.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STATE = ROOT / ".portal" / "pruebas"
DATABASE = "ckan_rendicion_pruebas"
PORT = 5001
URL = f"http://127.0.0.1:{PORT}"
TOKEN_FILE = STATE / "token"
ENV = {
    "RENDICION_PORTAL_DB": DATABASE,
    "RENDICION_PORTAL_PORT": str(PORT),
    "RENDICION_PORTAL_STATE": str(STATE),
    "RENDICION_PORTAL_STORAGE": str(ROOT / ".portal" / "storage"),
}


def environment(**extra: str) -> dict[str, str]:
    """This process's environment pointed at the test portal."""
    return {**os.environ, **ENV, **extra}


def start(timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """`portal/start.sh` for the test portal (from another folder, as a user may run it)."""
    return subprocess.run(
        ["bash", str(ROOT / "portal" / "start.sh")],
        cwd="/",
        env=environment(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
