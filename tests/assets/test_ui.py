"""`make ui`: the webserver shows the asset graph with its checks, runs a period, and stops on Ctrl-C."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from tests.assets.services import free_port, graphql, port_open, start_ui, stop, wait_for
from tests.variants import BUNDLED

LOCATION = {"repositoryLocationName": "rendicion", "repositoryName": "__repository__"}
RUN_ASSETS = ["report_text", "parsed_tables", "datapackage", "graph"]  # the package and its graph: one step
RUN_CHECKS = [
    ("parsed_tables", "reconciliation"),
    ("parsed_tables", "plausible_vs_previous"),
    ("datapackage", "package_valid"),
    ("graph", "shacl_conformance"),
]

ASSET_GRAPH = """{ assetNodes { assetKey { path } dependencyKeys { path } isPartitioned
  assetChecksOrError { ... on AssetChecks { checks { name blocking } } } } }"""
ADD_PARTITION = """mutation($key: String!, $repo: RepositorySelector!) {
  addDynamicPartition(partitionsDefName: "serie_periodo", partitionKey: $key, repositorySelector: $repo) {
    __typename } }"""
LAUNCH = """mutation($params: ExecutionParams!) { launchRun(executionParams: $params) { __typename
  ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } ... on InvalidSubsetError { message } } }"""
RUN = """query($id: ID!) { runOrError(runId: $id) { ... on Run { status stepStats { stepKey status } } } }"""
METADATA = """query($key: AssetKeyInput!) { assetOrError(assetKey: $key) { ... on Asset {
  assetMaterializations(partitions: ["sosep-2021-C1"], limit: 1) { partition
    metadataEntries { label ... on IntMetadataEntry { intValue } ... on PathMetadataEntry { path } } } } } }"""


@pytest.mark.services
def test_the_ui_shows_the_graph_runs_a_period_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    shutil.copy(BUNDLED, reports)
    port = free_port()
    env = {
        "RENDICION_DAGSTER_HOME": str(tmp_path / "dagster"),
        "DAGSTER_PORT": str(port),
        "RENDICION_INFORMES": str(reports),
        "RENDICION_PAQUETES": str(tmp_path / "paquetes"),
        "RENDICION_ALMACEN": str(tmp_path / "almacen"),
        "CKAN_URL": "http://127.0.0.1:9",
        "CKAN_API_TOKEN": "token-de-prueba",
        # The sensor's own run (daemon start) publishes to the closed port above: fail it fast, since
        # runs queue one at a time and ours waits behind it.
        "RENDICION_PUBLISH_RETRIES": "0",
    }
    process = start_ui(env, tmp_path / "ui.log")
    try:
        startup = wait_for(f"http://127.0.0.1:{port}/server_info", process)

        nodes = {tuple(n["assetKey"]["path"]): n for n in graphql(port, ASSET_GRAPH)["assetNodes"]}
        assert set(nodes) == {
            ("report_text",),
            ("parsed_tables",),
            ("datapackage",),
            ("graph",),
            ("sparql_store",),
            ("portal_publication",),
        }
        assert all(n["isPartitioned"] for n in nodes.values())
        assert {tuple(d["path"]) for d in nodes[("portal_publication",)]["dependencyKeys"]} == {
            ("datapackage",),
            ("graph",),
        }
        checks = {c["name"]: c["blocking"] for n in nodes.values() for c in n["assetChecksOrError"]["checks"]}
        assert checks == {
            "reconciliation": True,
            "plausible_vs_previous": True,
            "package_valid": True,
            "shacl_conformance": True,
        }

        added = graphql(port, ADD_PARTITION, {"key": "sosep-2021-C1", "repo": LOCATION})["addDynamicPartition"]
        assert added["__typename"] in ("AddDynamicPartitionSuccess", "DuplicateDynamicPartitionError")
        params = {
            "selector": {
                **LOCATION,
                "jobName": "publish_period",
                "assetSelection": [{"path": [k]} for k in RUN_ASSETS],
                "assetCheckSelection": [{"assetKey": {"path": [a]}, "name": c} for a, c in RUN_CHECKS],
            },
            "executionMetadata": {"tags": [{"key": "dagster/partition", "value": "sosep-2021-C1"}]},
            "runConfigData": {},
        }
        launched = graphql(port, LAUNCH, {"params": params})["launchRun"]
        assert launched["__typename"] == "LaunchRunSuccess", launched
        run = wait_for_run(port, launched["run"]["runId"])
        assert run["status"] == "SUCCESS", run
        assert {s["stepKey"] for s in run["stepStats"]} == {
            "report_text",
            "parsed_tables",
            "package_and_graph",
            "parsed_tables_plausible_vs_previous",
        }

        asset = graphql(port, METADATA, {"key": {"path": ["datapackage"]}})["assetOrError"]
        entries = {e["label"]: e for e in asset["assetMaterializations"][0]["metadataEntries"]}
        assert entries["carpeta"]["path"].endswith("sosep-informe-cuatrimestral-2021-1")
        assert entries["dagster/row_count"]["intValue"] > 100
    finally:
        stopped = stop(process)
    assert not port_open(port)
    print(f"\nUI lista en {startup:.1f} s; detenida con Ctrl-C en {stopped:.1f} s")


def wait_for_run(port: int, run_id: str, timeout: float = 120) -> dict:
    """Poll the run until it ends (it may queue behind the sensor's run: one run at a time)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        run = graphql(port, RUN, {"id": run_id})["runOrError"]
        if run["status"] in ("SUCCESS", "FAILURE", "CANCELED"):
            return run
        time.sleep(0.5)
    raise AssertionError(f"la ejecución {run_id} no terminó en {timeout} s")
