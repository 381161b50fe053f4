"""`portal/start.sh` never destroys a portal and keeps its secrets private.

These tests run a portal of their own (database `ckan_rendicion_prueba_arranque`, a free port, a
state folder in a temporary directory; only the CKAN virtualenv is shared), so they can delete its
`ckan.ini` or its whole state folder. They drop that database and role, and only those, at the end.

While start.sh runs, every command it calls by name goes through a wrapper that records its
arguments, and `/proc/*/cmdline` of every process is sampled, which also catches the CKAN commands
it calls by path: no secret (database password, sysadmin password, API token) may appear in either.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import stat
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.assets.services import psql

from .instance import ROOT

pytestmark = pytest.mark.services

DATABASE = "ckan_rendicion_prueba_arranque"
FOREIGN = "ckan_rendicion_prueba_ajena"
ADMIN = "rendicion-admin"
WRAPPED = [
    "curl",
    "psql",
    "grep",
    "sed",
    "mv",
    "rm",
    "find",
    "chmod",
    "cat",
    "head",
    "base64",
    "tr",
    "tail",
    "touch",
    "mkdir",
    "setsid",
    "nohup",
    "sha256sum",
    "cut",
    "flock",
]


def drop_test_database(name: str) -> None:
    """Only the names these tests own (the portal's database and role, its DataStore's database and roles)."""
    assert name in (DATABASE, FOREIGN)
    psql(f"DROP DATABASE IF EXISTS {name}_datastore WITH (FORCE)")
    psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    for role in (name, f"{name}_ds_escritura", f"{name}_ds_lectura"):
        psql(f"DROP ROLE IF EXISTS {role}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def command_lines() -> set[str]:
    seen = set()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/cmdline", "rb") as handle:
                    seen.add(handle.read().replace(b"\0", b" ").decode(errors="replace"))
            except OSError:  # the process ended meanwhile
                pass
    return seen


@dataclass
class Started:
    returncode: int
    stdout: str
    stderr: str
    command_lines: set[str] = field(default_factory=set)  # sampled from /proc while it ran
    wrapped_calls: list[str] = field(default_factory=list)  # every command called by name


class OwnPortal:
    def __init__(self, tmp: Path, database: str = DATABASE) -> None:
        self.state = tmp / "estado"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.calls = tmp / "llamadas.log"
        wrappers = tmp / "bin"
        wrappers.mkdir()
        for name in WRAPPED:
            real = shutil.which(name)
            assert real, name
            script = wrappers / name
            script.write_text(f'#!/bin/sh\nprintf "%s\\n" "{name} $*" >> "{self.calls}"\nexec {real} "$@"\n')
            script.chmod(0o755)
        self.env = {
            **os.environ,
            "RENDICION_PORTAL_DB": database,
            "RENDICION_PORTAL_PORT": str(self.port),
            "RENDICION_PORTAL_STATE": str(self.state),
            "PATH": f"{wrappers}{os.pathsep}{os.environ['PATH']}",
        }
        for name in ("RENDICION_PORTAL_STORAGE", "CKAN_URL", "CKAN_API_TOKEN"):
            self.env.pop(name, None)

    def start(self) -> Started:
        self.calls.write_text("")
        child = subprocess.Popen(
            ["bash", str(ROOT / "portal" / "start.sh")],
            cwd="/",
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        seen: set[str] = set()
        began = time.monotonic()
        while child.poll() is None and time.monotonic() - began < 600:
            seen |= command_lines()
            time.sleep(0.01)  # CKAN's commands live a second or more; short-lived ones are wrapped
        out, err = child.communicate(timeout=60)
        return Started(child.returncode, out, err, seen, self.calls.read_text().splitlines())

    def stop(self) -> None:
        subprocess.run(
            ["bash", str(ROOT / "portal" / "stop.sh")], env=self.env, check=True, capture_output=True, timeout=60
        )

    def read(self, name: str) -> str:
        return (self.state / name).read_text(encoding="utf-8").strip()

    def api(self, action: str, token: str | None = None, **data) -> dict:
        headers = {"Authorization": token} if token else {}
        body = requests.post(f"{self.url}/api/3/action/{action}", json=data, headers=headers, timeout=30).json()
        assert body["success"], (action, body.get("error"))
        return body["result"]

    def login_works(self, password: str) -> bool:
        """The web login form: CKAN redirects after a good login and shows the form again otherwise."""
        session = requests.Session()
        form = session.get(f"{self.url}/user/login", timeout=30).text
        csrf = re.search(r'name="_csrf_token" value="([^"]+)"', form)
        fields = {"login": ADMIN, "password": password, **({"_csrf_token": csrf.group(1)} if csrf else {})}
        answer = session.post(f"{self.url}/user/login", data=fields, allow_redirects=False, timeout=30)
        return answer.status_code == 302 and "/user/login" not in answer.headers.get("Location", "")

    def assert_secrets_private(self, started: Started) -> None:
        assert started.returncode == 0, started.stderr
        secrets = {
            name: self.read(name)
            for name in (
                "token",
                "admin-password",
                "db-password",
                "datastore-write-password",
                "datastore-read-password",
            )
        }
        for name, secret in secrets.items():
            assert len(secret) >= 24, name
            for line in started.command_lines:
                assert secret not in line, f"{name} visible in a process command line: {line[:80]}…"
            for line in started.wrapped_calls:
                assert secret not in line, f"{name} passed as an argument: {line[:80]}…"
        # the sampling and the wrappers did see start.sh at work
        assert any(f"-c {self.state}/ckan.ini" in line for line in started.command_lines)
        assert any(line.startswith("curl ") for line in started.wrapped_calls)
        assert any(line.startswith("psql ") for line in started.wrapped_calls)


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OwnPortal]:
    drop_test_database(DATABASE)  # left by an interrupted run
    portal = OwnPortal(tmp_path_factory.mktemp("portal-propio"))
    portal.cold = portal.start()  # type: ignore[attr-defined]
    assert portal.cold.returncode == 0, portal.cold.stderr  # type: ignore[attr-defined]
    yield portal
    portal.stop()
    drop_test_database(DATABASE)


def test_cold_start_keeps_secrets_off_command_lines(own: OwnPortal) -> None:
    started: Started = own.cold  # type: ignore[attr-defined]
    assert "creating database" in started.stderr and "writing" in started.stderr
    own.assert_secrets_private(started)
    assert own.login_works(own.read("admin-password"))


def test_generated_files_are_private_and_the_database_password_is_random(own: OwnPortal) -> None:
    assert stat.S_IMODE(own.state.stat().st_mode) == 0o700
    for name in (
        "ckan.ini",
        "token",
        "admin-password",
        "db-password",
        "datastore-write-password",
        "datastore-read-password",
    ):
        assert stat.S_IMODE((own.state / name).stat().st_mode) == 0o600, name
    for path in own.state.rglob("*"):  # the log, the PID file, uploads: nothing readable by others
        assert not path.stat().st_mode & 0o077, path
    password = own.read("db-password")
    assert password != DATABASE
    ini = (own.state / "ckan.ini").read_text(encoding="utf-8")
    assert f"sqlalchemy.url = postgresql://{DATABASE}:{password}@127.0.0.1:5432/{DATABASE}\n" in ini
    write, read = own.read("datastore-write-password"), own.read("datastore-read-password")
    assert len({password, write, read}) == 3
    assert (
        f"ckan.datastore.write_url = postgresql://{DATABASE}_ds_escritura:{write}@127.0.0.1:5432/{DATABASE}_datastore\n"
    ) in ini
    assert (
        f"ckan.datastore.read_url = postgresql://{DATABASE}_ds_lectura:{read}@127.0.0.1:5432/{DATABASE}_datastore\n"
        in ini
    )


def test_datastore_has_a_write_role_and_a_read_only_role(own: OwnPortal) -> None:
    """`ckan datastore set-permissions` was applied: the read role may read the DataStore and nothing else."""
    token = own.read("token")
    org = own.api("organization_create", token, name="org-datastore")
    dataset = own.api("package_create", token, name="conjunto-datastore", owner_org=org["id"])
    table = own.api(
        "datastore_create",
        token,
        resource={"package_id": dataset["id"], "name": "t"},
        fields=[{"id": "n", "type": "int"}],
        records=[{"n": 7}],
    )
    assert own.api("datastore_search_sql", sql=f'SELECT n FROM "{table["resource_id"]}"')["records"] == [{"n": 7}]
    passfile = own.state.parent / "pgpass-lectura"
    passfile.write_text(f"127.0.0.1:5432:*:{DATABASE}_ds_lectura:{own.read('datastore-read-password')}\n")
    passfile.chmod(0o600)

    def as_reader(sql: str, database: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", f"{DATABASE}_ds_lectura", "-d", database, "-w", "-qtAX", "-c", sql],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "PGPASSFILE": str(passfile)},
        )

    assert as_reader(f'SELECT n FROM "{table["resource_id"]}"', f"{DATABASE}_datastore").stdout.strip() == "7"
    assert as_reader(f'INSERT INTO "{table["resource_id"]}" (n) VALUES (8)', f"{DATABASE}_datastore").returncode != 0
    assert as_reader("CREATE TABLE otra (x int)", f"{DATABASE}_datastore").returncode != 0
    assert as_reader("SELECT count(*) FROM package", DATABASE).returncode != 0  # nor the portal's own tables
    assert (
        psql(f"SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '{DATABASE}_datastore'")
        == f"{DATABASE}_ds_escritura"
    )


def test_start_without_ckan_ini_keeps_the_datasets(own: OwnPortal) -> None:
    token = own.read("token")
    org = own.api("organization_create", token, name="org-que-queda")
    own.api("package_create", token, name="conjunto-que-queda", title="Sigue aquí", owner_org=org["id"])
    own.stop()
    (own.state / "ckan.ini").unlink()
    started = own.start()
    own.assert_secrets_private(started)
    assert own.api("package_show", id="conjunto-que-queda")["title"] == "Sigue aquí"
    assert own.read("token") != token  # a new ckan.ini signs with new secrets: a new token
    assert own.api("api_token_list", own.read("token"), user_id=ADMIN)


def test_new_state_folder_reuses_the_database_and_resets_the_sysadmin(own: OwnPortal) -> None:
    old_password = own.read("admin-password")
    own.stop()
    shutil.rmtree(own.state)  # a reinstall: ckan.ini, passwords, token, all gone
    started = own.start()
    own.assert_secrets_private(started)
    assert f"reusing database {DATABASE}" in started.stderr
    assert own.api("package_show", id="conjunto-que-queda")["title"] == "Sigue aquí"
    assert own.api("user_show", own.read("token"), id=ADMIN)["sysadmin"] is True
    assert own.login_works(own.read("admin-password")) and not own.login_works(old_password)
    again = own.start()  # and now it is simply up
    assert again.returncode == 0 and again.stdout.strip() == own.url and again.stderr == ""


def test_a_database_it_did_not_make_is_left_alone(tmp_path: Path) -> None:
    drop_test_database(FOREIGN)
    psql(f"CREATE DATABASE {FOREIGN}")
    try:
        psql("CREATE TABLE datos (x int); INSERT INTO datos VALUES (42)", database=FOREIGN)
        portal = OwnPortal(tmp_path, database=FOREIGN)
        started = portal.start()
        assert started.returncode == 1
        (line,) = started.stderr.strip().splitlines()
        assert FOREIGN in line and "RENDICION_PORTAL_DB=" in line
        assert psql("SELECT x FROM datos", database=FOREIGN) == "42"
        assert not (portal.state / "ckan.ini").exists()
    finally:
        drop_test_database(FOREIGN)
