"""The whole asset graph of the bundled report's period, materialised in-process.

What an operator reads afterwards: row counts, previews, the discrepancy list,
column schemas, triple counts, the store and endpoint, the portal page.
"""

from __future__ import annotations

import dagster as dg
import pytest

from pipelines.assets.resources import CkanPortal
from tests.assets.conftest import Workspace
from tests.assets.services import ensure_portal, http_status

BEFORE_PORTAL = ["report_text", "parsed_tables", "datapackage", "graph", "sparql_store"]


def assert_operator_metadata(workspace: Workspace, outcome) -> None:
    tables = outcome.metadata["parsed_tables"]
    assert tables["dagster/row_count"] == 107 and tables["filas: servicio-social"] == 15
    assert "| Chimaltenango |" in tables["vista previa: servicio-social"].replace("| 04 ", "")
    assert "218" in tables["discrepancias del informe"] and "217" in tables["discrepancias del informe"]
    schema = tables["columnas: servicio-social"]
    assert [c.name for c in schema.columns][:3] == ["departamento_codigo", "departamento", "hombres"]

    package = outcome.metadata["datapackage"]
    assert package["carpeta"] == str(workspace.output / "sosep-informe-cuatrimestral-2021-1")
    assert "| departamentos | data/departamentos.csv | 22 |" in package["recursos"]
    assert "columnas: albergues" in package

    assert outcome.metadata["graph"]["tripletas"] > 1000
    store = outcome.metadata["sparql_store"]
    assert store["tripletas"] >= outcome.metadata["graph"]["tripletas"]
    assert store["endpoint SPARQL"] == "http://127.0.0.1:7878/query"
    assert any(workspace.store.iterdir())

    checks = outcome.checks
    assert checks["package_valid"].passed and checks["shacl_conformance"].passed
    assert checks["plausible_vs_previous"].passed
    # The bundled report disagrees with itself in four places: a warning, published as printed.
    assert not checks["reconciliation"].passed and checks["reconciliation"].severity == dg.AssetCheckSeverity.WARN


def test_every_stage_before_the_portal_materialises_with_its_checks(workspace: Workspace) -> None:
    workspace.add_report("sosep-2021-cuatrimestre-1.txt")
    outcome = workspace.run(selection=BEFORE_PORTAL)
    assert outcome.success, outcome.failures
    assert sorted(outcome.materialized) == sorted(BEFORE_PORTAL)
    assert_operator_metadata(workspace, outcome)


@pytest.mark.services
def test_the_whole_graph_publishes_the_bundled_report_on_the_local_portal(workspace: Workspace) -> None:
    url, token = ensure_portal()
    workspace.add_report("sosep-2021-cuatrimestre-1.txt")
    outcome = workspace.run(portal=CkanPortal(url=url, token=token))
    assert outcome.success, outcome.failures
    assert sorted(outcome.materialized) == sorted([*BEFORE_PORTAL, "portal_publication"])
    assert_operator_metadata(workspace, outcome)
    published = outcome.metadata["portal_publication"]
    assert published["conjunto de datos"] == "sosep-informe-cuatrimestral-2021-1"
    assert published["página en el portal"] == f"{url}/dataset/sosep-informe-cuatrimestral-2021-1"
    assert http_status(published["página en el portal"]) == 200
    assert token not in repr(outcome.metadata) and token not in workspace.logs()

    # Re-publishing alone (what the calendar does) changes nothing on the portal.
    again = workspace.run(selection=["portal_publication"], portal=CkanPortal(url=url, token=token))
    assert again.success and again.metadata["portal_publication"]["resultado"].startswith("sin cambios")
