"""`make run` publishes the bundled report's period through Dagster and says where to look."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import dagster as dg
import pytest

from pipelines.paths import ROOT
from tests.assets.services import http_status

STAGES = {"report_text", "parsed_tables", "datapackage", "graph", "sparql_store", "portal_publication"}


@pytest.mark.services
def test_make_run_materialises_every_asset_of_the_bundled_period(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "dagster"
    env = {
        **os.environ,
        "RENDICION_DAGSTER_HOME": str(home),
        "RENDICION_PAQUETES": str(tmp_path / "paquetes"),
        "RENDICION_ALMACEN": str(tmp_path / "almacen"),
    }
    env.pop("CKAN_API_TOKEN", None)  # the script takes the local portal's token from .portal/token
    done = subprocess.run(["bash", "scripts/run.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    package = tmp_path / "paquetes" / "sosep-informe-cuatrimestral-2021-1"
    assert f"Paquete de datos:  {package}" in out
    assert "http://127.0.0.1:5000/dataset/sosep-informe-cuatrimestral-2021-1" in out
    assert "make ui" in out and "rendicion serve" in out
    assert (package / "grafo.ttl").exists()
    assert http_status("http://127.0.0.1:5000/dataset/sosep-informe-cuatrimestral-2021-1") == 200

    # The run is in the project's instance, where `make ui` shows it.
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs()
        assert [r.status for r in runs] == [dg.DagsterRunStatus.SUCCESS]
        assert runs[0].tags["dagster/partition"] == "sosep-2021-C1"
        materialized = {k.to_user_string() for k in instance.get_asset_keys()}
        assert materialized == STAGES


@pytest.mark.services
def test_make_run_fails_when_the_bundled_report_is_refused(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    text = (ROOT / "reports" / "sosep-2021-cuatrimestre-1.txt").read_text(encoding="utf-8")
    bad = reports / "sosep-2021-cuatrimestre-1.txt"
    bad.write_text(text.replace("Q7,674,675.24 23.23", "Q7,674,675.24 32.23"), encoding="utf-8")
    env = {
        **os.environ,
        "RENDICION_DAGSTER_HOME": str(tmp_path / "dagster"),
        "RENDICION_INFORMES": str(reports),
        "RENDICION_PAQUETES": str(tmp_path / "paquetes"),
        "RENDICION_ALMACEN": str(tmp_path / "almacen"),
    }
    done = subprocess.run(
        ["bash", "scripts/run.sh", str(bad)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode != 0
    assert "falló" in done.stderr and "reconciliation" in done.stderr
    assert not (tmp_path / "paquetes").exists()
