"""A second series made only of data files builds beside SOSEP's, for the same period, without code."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from pipelines.errors import ReportError
from pipelines.paths import ROOT, SPECS_DIR
from pipelines.report.text import load_report
from pipelines.specs import detect_series
from tests.variants import BUNDLED, bundled_text, write

SERIES_DIR = Path(__file__).parent / "series"
SBS_REPORT = SERIES_DIR / "sbs-2021-cuatrimestre-1.txt"


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    """A series folder holding SOSEP's description and the test series `sbs`."""
    root = tmp_path / "series"
    shutil.copytree(SPECS_DIR / "sosep", root / "sosep")
    shutil.copytree(SERIES_DIR / "sbs", root / "sbs")
    return root


def test_each_report_finds_its_own_series(specs: Path) -> None:
    assert detect_series(load_report(BUNDLED), specs).key == "sosep"
    assert detect_series(load_report(SBS_REPORT), specs).key == "sbs"


def test_a_report_of_no_known_series_names_the_candidates(specs: Path, tmp_path: Path) -> None:
    text = bundled_text().replace("Secretaría de Obras Sociales de la Esposa del Presidente", "Otra Secretaría")
    with pytest.raises(ReportError) as info:
        detect_series(load_report(write(tmp_path, "otro.txt", text)), specs)
    assert "ninguna serie" in info.value.message and "sosep" in info.value.message and "sbs" in info.value.message


def test_a_report_matching_two_series_is_refused(specs: Path, tmp_path: Path) -> None:
    text = bundled_text() + "\nSecretaría de Bienestar Social\n"
    with pytest.raises(ReportError, match="varias series: sbs, sosep"):
        detect_series(load_report(write(tmp_path, "ambas.txt", text)), specs)


def test_both_series_build_side_by_side_for_the_same_period(specs: Path, tmp_path: Path) -> None:
    out = tmp_path / "paquetes"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipelines.cli",
            "build",
            str(BUNDLED),
            str(SBS_REPORT),
            "--out",
            str(out),
            "--series",
            str(specs),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "sbs-informe-cuatrimestral-2021-1",
        "sosep-informe-cuatrimestral-2021-1",
    ]
    sbs = out / "sbs-informe-cuatrimestral-2021-1"
    descriptor = json.loads((sbs / "datapackage.json").read_text())
    assert descriptor["serie"]["clave"] == "sbs" and descriptor["periodo"]["clave"] == "2021-C1"
    assert [r["name"] for r in descriptor["resources"]][:2] == ["ejecucion-actividad", "ninos-atendidos"]
    graph = Graph().parse(sbs / "grafo.ttl")
    subjects = {str(s) for s in graph.subjects()} | {str(p) for p in graph.predicates()}
    base = "https://w3id.org/rendicion-abierta/"
    assert f"{base}def/medida/sbs/ejecutado" in subjects
    assert f"{base}codigo/programa/sbs/centros-de-atencion-diurna" in subjects
    assert not any("/sosep/" in s for s in subjects)  # nothing of SOSEP's leaks into another series
    assert (URIRef(f"{base}codigo/programa/sbs/centros-de-atencion-diurna"), None, None) in graph
