"""The `rendicion` command wires each subcommand to its stage."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pipelines.cli import parser
from pipelines.paths import DATAPACKAGES_DIR, QUERIES_DIR, ROOT
from tests.variants import bundled_text, with_period, write


def test_query_over_two_periods_given_as_graphs(tmp_path: Path) -> None:
    second = write(tmp_path, "c2.txt", with_period(bundled_text(), "mayo-agosto", 2021))
    out = tmp_path / "paquetes"
    subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "build", str(second), "--out", str(out)],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    graphs = [
        DATAPACKAGES_DIR / "sosep-informe-cuatrimestral-2021-1" / "grafo.ttl",
        out / "sosep-informe-cuatrimestral-2021-2" / "grafo.ttl",
    ]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipelines.cli",
            "query",
            str(QUERIES_DIR / "ejecucion-por-actividad.rq"),
            *[arg for g in graphs for arg in ("--graph", str(g))],
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "periodo,actividad,asignado,vigente,ejecutado,porcentaje_ejecucion"
    assert {line.split(",")[0] for line in lines[1:]} == {"2021-C1", "2021-C2"}
    assert len(lines) == 1 + 2 * 5


def test_serve_and_publish_take_their_documented_options() -> None:
    assert parser().parse_args(["serve"]).port is None  # then $RENDICION_SPARQL_PUERTO or 7878 (settings)
    assert parser().parse_args(["serve", "--port", "9000"]).port == 9000
    args = parser().parse_args(["publish", "a", "b", "--ckan-url", "https://datos.example", "--dry-run"])
    assert (args.packages, args.ckan_url, args.dry_run) == (["a", "b"], "https://datos.example", True)
