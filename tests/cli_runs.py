"""Running `rendicion build` as a user would, for the tests of its failures and its parallel mode."""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import time
from pathlib import Path

from pipelines.paths import ROOT

COMMAND = [sys.executable, "-m", "pipelines.cli", "build"]


def build(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMAND, *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def digests(folder: Path) -> dict[str, str]:
    """Every file under `folder` (relative path → sha256): what "byte-identical" compares."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def interrupted_while_writing(
    args: list[str | Path], out: Path, signum: signal.Signals, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Start a build, send `signum` as soon as a scratch folder appears in `out`, and wait for it."""
    child = subprocess.Popen(
        [*COMMAND, *map(str, args)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    while not any(".tmp-" in p.name for p in out.iterdir()):
        assert child.poll() is None and time.monotonic() < deadline, "the build never started writing"
        time.sleep(0.005)
    child.send_signal(signum)
    stdout, stderr = child.communicate(timeout=timeout)
    return subprocess.CompletedProcess(child.args, child.returncode, stdout, stderr)
