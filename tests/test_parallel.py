"""`rendicion build --jobs N`: same packages and lines as one by one, in input order; interruptions clean up."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from pipelines.cli import parser
from pipelines.parallel import default_jobs
from tests.cli_runs import build, digests, interrupted_while_writing
from tests.variants import bundled_text, with_period, write

PERIODS = [("mayo-agosto", 2021), ("septiembre-diciembre", 2021), ("enero-abril", 2022), ("mayo-agosto", 2022)]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("informes")
    good = [write(folder, f"r{i}.txt", with_period(bundled_text(), m, y)) for i, (m, y) in enumerate(PERIODS)]
    bad = write(folder, "roto.txt", bundled_text().replace("Izabal 3 0 3 79", "Izabal 3 0 3"))
    return [good[0], bad, *good[1:]]


def test_jobs_default_to_the_cores() -> None:
    assert parser().parse_args(["build", "x"]).jobs is None and default_jobs() >= 1
    assert parser().parse_args(["build", "x", "--jobs", "3"]).jobs == 3
    with pytest.raises(SystemExit):
        parser().parse_args(["build", "x", "--jobs", "0"])


def test_parallel_build_equals_sequential_in_order_and_a_failure_stops_nothing(
    reports: list[Path], tmp_path: Path
) -> None:
    one, two = tmp_path / "uno", tmp_path / "dos"
    sequential = build(*reports, "--out", one, "--jobs", "1")
    parallel = build(*reports, "--out", two, "--jobs", "2")
    for done in (sequential, parallel):
        assert done.returncode == 1 and "Traceback" not in done.stderr
        errors = done.stderr.strip().splitlines()
        assert len(errors) == 1 and errors[0].startswith("error: roto.txt, tabla hogares-comunitarios")
    assert parallel.stdout.replace(str(two), "OUT") == sequential.stdout.replace(str(one), "OUT")
    names = [line.split(":")[0].rsplit("/", 1)[-1] for line in parallel.stdout.splitlines()]
    assert names == [
        "sosep-informe-cuatrimestral-2021-2",
        "sosep-informe-cuatrimestral-2021-3",
        "sosep-informe-cuatrimestral-2022-1",
        "sosep-informe-cuatrimestral-2022-2",
    ]
    assert digests(one) == digests(two)


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 1), (signal.SIGINT, 130)])
def test_an_interrupted_parallel_build_leaves_no_scratch(
    reports: list[Path], tmp_path: Path, signum: int, code: int
) -> None:
    out = tmp_path / "paquetes"
    out.mkdir()
    many = [r for r in reports if r.name != "roto.txt"] * 3
    done = interrupted_while_writing([*many, "--out", out, "--jobs", "2", "--replace"], out, signum)
    stderr = done.stderr
    assert done.returncode == code, stderr
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1].startswith("error: interrumpido")
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]
