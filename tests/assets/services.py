"""Start and stop the real services the Dagster tests need (never skipped: a missing service fails)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from pipelines.paths import ROOT
from tests.portal import instance


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_for(url: str, process: subprocess.Popen | None = None, timeout: float = 60) -> float:
    """Seconds until `url` answers 200; fails with the process's output if it died first."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"el proceso terminó con código {process.returncode} antes de responder en {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise AssertionError(f"{url} no respondió en {timeout} s")


def graphql(port: int, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.loads(response.read())
    assert "errors" not in answer, answer["errors"]
    return answer["data"]


def start_ui(env: dict[str, str], log: Path) -> subprocess.Popen:
    """`make ui`'s script, as a user starts it; its own session so the test can signal it alone."""
    handle = log.open("wb")
    return subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "ui.sh")],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(process: subprocess.Popen, sig: int = signal.SIGINT, timeout: float = 30) -> float:
    """Send `sig` to the process we started (Ctrl-C by default); seconds until it exited."""
    started = time.monotonic()
    process.send_signal(sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # our own session only
        process.wait()
        raise AssertionError(f"no se detuvo en {timeout} s tras la señal {sig}") from None
    return time.monotonic() - started


def psql(sql: str, database: str = "postgres") -> str:
    done = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-qtAX", "-v", "ON_ERROR_STOP=1", "-c", sql],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, f"PostgreSQL en 127.0.0.1:5432 no respondió: {done.stderr.strip()}"
    return done.stdout.strip()


def ensure_portal() -> tuple[str, str]:
    """The test CKAN portal (its own database, port and state folder: tests/portal/instance.py),
    started with portal/start.sh if needed, and its sysadmin token."""
    done = instance.start()
    assert done.returncode == 0, f"portal/start.sh falló ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    assert instance.TOKEN_FILE.exists(), f"portal/start.sh no dejó {instance.TOKEN_FILE}"
    return instance.URL, instance.TOKEN_FILE.read_text(encoding="utf-8").strip()


def http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
