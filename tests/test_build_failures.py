"""Every failure of `rendicion build` is one line, exit 1 (130 for Ctrl-C), and leaves nothing half done."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from tests.cli_runs import build, digests, interrupted_while_writing
from tests.variants import BUNDLED

PACKAGE = "sosep-informe-cuatrimestral-2021-1"


def one_line_error(done: subprocess.CompletedProcess[str], code: int = 1) -> str:
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    return lines[0]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("paquetes")
    assert build(BUNDLED, "--out", out).returncode == 0
    return out


def copy_of(built: Path, tmp_path: Path) -> Path:
    out = tmp_path / "paquetes"
    shutil.copytree(built, out)
    return out


def test_output_path_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    target = tmp_path / "archivo"
    target.write_text("x")
    assert "no es una carpeta" in one_line_error(build(BUNDLED, "--out", target))
    assert "no es una carpeta" not in one_line_error(build(BUNDLED, "--out", target / "debajo"))
    assert target.read_text() == "x"


def test_a_file_too_large_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    huge = tmp_path / "enorme.txt"
    with huge.open("wb") as handle:
        handle.truncate(64 * 1024 * 1024)
    assert "MB" in one_line_error(build(huge, "--out", tmp_path / "out"))
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_another_reports_package_is_never_replaced(tmp_path: Path, built: Path) -> None:
    out = copy_of(built, tmp_path)
    before = digests(out / PACKAGE)
    other = tmp_path / "otro-informe.txt"
    shutil.copy(BUNDLED, other)
    message = one_line_error(build(other, "--out", out))
    assert "ya existe" in message and BUNDLED.name in message and "--replace" in message
    assert digests(out / PACKAGE) == before
    assert build(other, "--out", out, "--replace").returncode == 0


def test_leftovers_of_killed_builds_are_cleaned_and_do_not_block(tmp_path: Path, built: Path) -> None:
    out = copy_of(built, tmp_path)
    dead = 2**22 + 7  # above the default pid_max: never a live process
    stale = [out / f".{PACKAGE}.tmp-{dead}-abc", out / f".{PACKAGE}.old-{dead}-def"]
    for folder in stale:
        (folder / "data").mkdir(parents=True)
    (out / f".{PACKAGE}.old").write_text("a file where the old code put a folder")
    assert build(BUNDLED, "--out", out).returncode == 0
    assert not any(folder.exists() for folder in stale)


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 1), (signal.SIGINT, 130)])
def test_an_interrupted_build_cleans_its_scratch_and_keeps_the_package(
    tmp_path: Path, built: Path, signum: int, code: int
) -> None:
    out = copy_of(built, tmp_path)
    before = digests(out / PACKAGE)
    done = interrupted_while_writing([BUNDLED, "--out", out], out, signum, timeout=60)
    message = one_line_error(done, code)
    assert "interrumpido" in message
    assert sorted(p.name for p in out.iterdir()) == [PACKAGE]
    assert digests(out / PACKAGE) == before


def test_no_scratch_folder_of_a_live_build_is_touched(tmp_path: Path) -> None:
    from pipelines.build import clean_leftovers

    live = tmp_path / f".{PACKAGE}.tmp-{os.getppid()}-abc"
    live.mkdir()
    clean_leftovers(tmp_path)
    assert live.exists()
