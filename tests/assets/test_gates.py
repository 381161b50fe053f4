"""A report that fails an ERROR check never reaches the package, the graph, the store or the portal."""

from __future__ import annotations

import dagster as dg
import pytest

from pipelines import build
from pipelines.errors import InvalidPackage
from pipelines.graph import shacl
from tests.assets.conftest import Workspace
from tests.variants import bundled_text, rerender, with_period

DOWNSTREAM = {"datapackage", "graph", "sparql_store", "portal_publication"}


def test_unplaceable_blanks_fail_reconciliation_and_nothing_is_published(workspace: Workspace) -> None:
    text = bundled_text().replace("TOTALES 189 222 411 378 33 411 411", "TOTALES 189 222 411 300 33 411 411")
    workspace.add_report("sosep-2021-cuatrimestre-1.txt", text)
    outcome = workspace.run()
    assert not outcome.success
    check = outcome.checks["reconciliation"]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    message = check.metadata["error"].value
    assert "servicio-social" in message and "línea 237" in message and "celdas vacías" in message
    assert check.metadata["línea"].value == 237
    assert not DOWNSTREAM & set(outcome.materialized)
    assert not workspace.output.exists() or not any(workspace.output.iterdir())


def test_broken_row_arithmetic_is_an_error_that_blocks_publication(workspace: Workspace) -> None:
    # 7,674,675.24 / 33,038,461.00 is 23.23 %, not 32.23 %.
    text = bundled_text().replace("Q7,674,675.24 23.23", "Q7,674,675.24 32.23")
    workspace.add_report("sosep-2021-cuatrimestre-1.txt", text)
    outcome = workspace.run()
    assert not outcome.success
    assert outcome.materialized == ["report_text", "parsed_tables"]
    check = outcome.checks["reconciliation"]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    broken = check.metadata["aritmética rota"].value
    assert "Dirección y Coordinación" in broken and "32.23" in broken and "23.23" in broken
    assert not workspace.output.exists() or not any(workspace.output.iterdir())


def test_a_tenfold_jump_from_the_previous_period_blocks_publication(workspace: Workspace) -> None:
    workspace.add_report("sosep-2021-cuatrimestre-1.txt")

    def tenfold(rows: list[dict]) -> list[dict]:
        for row in rows:
            for name, value in row.items():
                if isinstance(value, int):
                    row[name] = value * 10
        return rows

    second = rerender(with_period(bundled_text(), "mayo-agosto", 2021), "servicio-social", tenfold)
    workspace.add_report("sosep-2021-cuatrimestre-2.txt", second)
    outcome = workspace.run("sosep-2021-C2")
    check = outcome.checks["plausible_vs_previous"]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    jumps = check.metadata["saltos de 10× o más"].value
    assert "servicio-social" in jumps and "total_genero" in jumps and "2021-C1" in jumps
    assert check.metadata["período anterior"].value == "sosep-2021-C1"  # the same series' previous period
    assert "hogares-comunitarios" not in jumps  # unchanged tables are not flagged
    assert not outcome.success and not DOWNSTREAM & set(outcome.materialized)


def test_the_same_figures_in_the_next_period_pass_the_plausibility_check(workspace: Workspace) -> None:
    workspace.add_report("sosep-2021-cuatrimestre-1.txt")
    workspace.add_report("sosep-2021-cuatrimestre-2.txt", with_period(bundled_text(), "mayo-agosto", 2021))
    outcome = workspace.run("sosep-2021-C2", selection=["report_text", "parsed_tables"])
    check = outcome.checks["plausible_vs_previous"]
    assert check.passed and check.metadata["totales comparados"].value > 30
    assert check.metadata["saltos"].value == 0


def test_a_graph_that_breaks_the_shapes_fails_the_graphs_check_and_nothing_is_written(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        shacl, "violations", lambda triples, folder=None, base=None: ["<obs/1> qb:dataSet: falta (prueba)"]
    )
    workspace.add_report("sosep-2021-cuatrimestre-1.txt")
    outcome = workspace.run()
    assert not outcome.success
    check = outcome.checks["shacl_conformance"]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    assert check.asset_key == dg.AssetKey("graph")  # on the asset the verdict is about
    assert "formas SHACL" in check.metadata["error"].value and "prueba" in check.metadata["error"].value
    assert "package_valid" not in outcome.checks
    assert not DOWNSTREAM & set(outcome.materialized)
    assert not workspace.output.exists() or not any(p for p in workspace.output.iterdir() if not p.name.startswith("."))


def test_an_invalid_package_fails_the_packages_check(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    def invalid(folder, report_name):
        raise InvalidPackage(
            "el paquete no es válido: servicio-social fila 3: tipo incorrecto (prueba)",
            table="servicio-social",
            report=report_name,
        )

    monkeypatch.setattr(build, "validate_package", invalid)
    workspace.add_report("sosep-2021-cuatrimestre-1.txt")
    outcome = workspace.run()
    check = outcome.checks["package_valid"]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    assert check.asset_key == dg.AssetKey("datapackage") and check.metadata["cuadro"].value == "servicio-social"
    assert not outcome.success and not DOWNSTREAM & set(outcome.materialized)


def test_each_gate_runs_once_per_run_and_its_verdict_is_the_check(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"validate": 0, "shacl": 0}

    def counting(name, function):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return function(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(build, "validate_package", counting("validate", build.validate_package))
    monkeypatch.setattr(shacl, "violations", counting("shacl", shacl.violations))
    workspace.add_report("sosep-2021-cuatrimestre-1.txt")
    outcome = workspace.run(selection=["report_text", "parsed_tables", "datapackage", "graph"])
    assert outcome.success, outcome.failures
    assert calls == {"validate": 1, "shacl": 1}
    assert outcome.checks["package_valid"].passed and outcome.checks["shacl_conformance"].passed
    assert outcome.checks["shacl_conformance"].metadata["tripletas"].value == outcome.metadata["graph"]["tripletas"]
