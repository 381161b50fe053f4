"""Two institutions in one period: each report is its own partition (series × period) and both publish.

The specs root holds the bundled series (pipelines/specs/sosep) and the test
series tests/series/sbs, passed to every stage through the `folders` resource.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pyoxigraph as ox
import pytest

from pipelines.assets.partitions import PARTITIONS, scan_reports
from pipelines.assets.resources import Folders
from pipelines.assets.sensors import new_reports
from pipelines.paths import ROOT, SPECS_DIR
from tests.assets.conftest import Workspace
from tests.assets.test_materialize import BEFORE_PORTAL
from tests.variants import with_period

SERIES = ROOT / "tests" / "series"
SBS_REPORT = SERIES / "sbs-2021-cuatrimestre-1.txt"
BASE = "https://w3id.org/rendicion-abierta/paquete/"


def two_series(root: Path) -> Path:
    """A specs root with both series, as an operator would configure RENDICION_SERIES."""
    specs = root / "series"
    shutil.copytree(SPECS_DIR / "sosep", specs / "sosep")
    shutil.copytree(SERIES / "sbs", specs / "sbs")
    return specs


@pytest.fixture
def both(workspace: Workspace, tmp_path: Path) -> Workspace:
    workspace.series = two_series(tmp_path)
    workspace.add_report("sosep-2021-cuatrimestre-1.txt")
    shutil.copy(SBS_REPORT, workspace.reports / SBS_REPORT.name)
    return workspace


def tick(workspace: Workspace) -> dg.SensorResult:
    folders = Folders(
        reports_dir=str(workspace.reports), output_dir=str(workspace.output), series_dir=str(workspace.series)
    )
    result = new_reports(dg.build_sensor_context(instance=workspace.instance, resources={"folders": folders}))
    assert isinstance(result, dg.SensorResult)
    return result


def test_two_series_in_the_same_period_are_two_partitions(both: Workspace) -> None:
    result = tick(both)
    assert sorted(r.partition_key for r in result.run_requests) == ["sbs-2021-C1", "sosep-2021-C1"]
    assert sorted(result.dynamic_partitions_requests[0].partition_keys) == ["sbs-2021-C1", "sosep-2021-C1"]

    # A second file of the same series and period is still refused, naming the first.
    shutil.copy(SBS_REPORT, both.reports / "sbs-copia.txt")
    found, errors = scan_reports(both.reports, both.series)
    assert sorted(found) == ["sbs-2021-C1", "sosep-2021-C1"]
    assert len(errors) == 1 and "sbs-2021-C1" in str(errors[0]) and SBS_REPORT.name in str(errors[0])


def test_both_series_materialise_side_by_side(both: Workspace) -> None:
    both.instance.add_dynamic_partitions(PARTITIONS.name, ["sosep-2021-C1", "sbs-2021-C1"])
    sosep = both.run("sosep-2021-C1", selection=BEFORE_PORTAL)
    assert sosep.success, sosep.failures
    sbs = both.run("sbs-2021-C1", selection=BEFORE_PORTAL)
    assert sbs.success, (sbs.failures, {k: v.description for k, v in sbs.checks.items() if not v.passed})

    assert sbs.metadata["report_text"]["serie"] == "sbs"
    assert sorted(p.name for p in both.output.iterdir()) == [
        "sbs-informe-cuatrimestral-2021-1",
        "sosep-informe-cuatrimestral-2021-1",
    ]
    assert sbs.checks["plausible_vs_previous"].metadata["período anterior"].value.startswith("sbs-2020-C3 (sin informe")
    assert sbs.metadata["sparql_store"]["grafo con nombre"] == BASE + "sbs-informe-cuatrimestral-2021-1"
    store = ox.Store.read_only(str(both.store))
    graphs = {g.value for g in store.named_graphs()}
    assert {BASE + "sbs-informe-cuatrimestral-2021-1", BASE + "sosep-informe-cuatrimestral-2021-1"} <= graphs
    sosep_graph = f"GRAPH <{BASE}sosep-informe-cuatrimestral-2021-1> {{ ?s ?p ?o }}"
    kept = next(iter(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {sosep_graph} }}")))["n"].value
    assert int(kept) == sosep.metadata["graph"]["tripletas"]  # loading SBS left SOSEP's graph as it was


def test_plausibility_compares_with_the_same_series_previous_period(both: Workspace) -> None:
    sbs_may = with_period(SBS_REPORT.read_text(encoding="utf-8"), "mayo-agosto", 2021)
    both.add_report("sbs-2021-cuatrimestre-2.txt", sbs_may)
    outcome = both.run("sbs-2021-C2", selection=["report_text", "parsed_tables"])
    check = outcome.checks["plausible_vs_previous"]
    assert check.passed, check.description
    assert check.metadata["período anterior"].value == "sbs-2021-C1"  # not SOSEP's report of that period
    assert check.metadata["totales comparados"].value > 0 and check.metadata["saltos"].value == 0
