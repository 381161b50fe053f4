"""The PostgreSQL variant of the instance (dagster.postgres.yaml): runs recorded in the local server,
and a backfill over several partitions, two runs at a time, each with the multiprocess executor."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from pipelines.assets.jobs import MULTIPROCESS
from pipelines.paths import ROOT
from tests.assets.services import free_port, graphql, psql, stop, wait_for
from tests.assets.test_series import SBS_REPORT, two_series
from tests.variants import BUNDLED, bundled_text, with_period

DATABASE = "rendicion_dagster_test"
BIN = ROOT / ".venv" / "bin"
LOCATION = {"repositoryLocationName": "rendicion", "repositoryName": "__repository__"}
BACKFILL_ASSETS = ["report_text", "parsed_tables", "datapackage", "graph", "sparql_store"]
KEYS = ["sbs-2021-C1", "sosep-2021-C1", "sosep-2021-C2"]

SENSOR = """query($s: SensorSelector!) { sensorOrError(sensorSelector: $s) { ... on Sensor { id jobOriginId
  sensorState { selectorId status } } } }"""
STOP_SENSOR = """mutation($id: String, $origin: String, $selector: String) {
  stopSensor(id: $id, jobOriginId: $origin, jobSelectorId: $selector) { __typename } }"""
ADD_PARTITION = """mutation($key: String!, $repo: RepositorySelector!) {
  addDynamicPartition(partitionsDefName: "serie_periodo", partitionKey: $key, repositorySelector: $repo) {
  __typename } }"""
BACKFILL = """mutation($p: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $p) { __typename
  ... on LaunchBackfillSuccess { backfillId } ... on PythonError { message } } }"""
BACKFILL_STATUS = """query($id: String!) { partitionBackfillOrError(backfillId: $id) { ... on PartitionBackfill {
  status } } }"""


@pytest.fixture
def database() -> str:
    psql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    psql(f"CREATE DATABASE {DATABASE}")
    yield f"postgresql+psycopg2://postgres@127.0.0.1:5432/{DATABASE}"
    psql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def instance_env(tmp_path: Path, url: str, reports: Path) -> dict[str, str]:
    """What the scripts do with RENDICION_DAGSTER_CONFIG=dagster.postgres.yaml."""
    home = tmp_path / "dagster"
    home.mkdir()
    (home / "dagster.yaml").symlink_to(ROOT / "dagster.postgres.yaml")
    return {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "RENDICION_INFORMES": str(reports),
        "RENDICION_PAQUETES": str(tmp_path / "paquetes"),
        "RENDICION_ALMACEN": str(tmp_path / "almacen"),
        "DAGSTER_PG_URL": url,
    }


@pytest.mark.services
def test_a_run_is_recorded_in_postgresql(tmp_path: Path, database: str) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    shutil.copy(BUNDLED, reports)
    env = instance_env(tmp_path, database, reports)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)

    registered = run(str(BIN / "python"), "-m", "pipelines.assets.operator", "register", str(reports / BUNDLED.name))
    assert registered.returncode == 0 and registered.stdout.strip() == "sosep-2021-C1", registered.stderr
    done = run(
        str(BIN / "dagster"),
        "asset",
        "materialize",
        "-m",
        "pipelines.definitions",
        "--partition",
        "sosep-2021-C1",
        "--select",
        "report_text,parsed_tables,datapackage,graph",
    )
    assert done.returncode == 0, done.stderr[-3000:]

    assert psql("SELECT status FROM runs", DATABASE) == "SUCCESS"
    assert psql("SELECT partition FROM dynamic_partitions", DATABASE) == "sosep-2021-C1"
    keys = psql("SELECT asset_key FROM asset_keys ORDER BY asset_key", DATABASE).splitlines()
    assert keys == ['["datapackage"]', '["graph"]', '["parsed_tables"]', '["report_text"]']
    checks = psql("SELECT check_name, execution_status FROM asset_check_executions ORDER BY check_name", DATABASE)
    assert "package_valid|SUCCEEDED" in checks and "shacl_conformance|SUCCEEDED" in checks
    assert not (Path(env["DAGSTER_HOME"]) / "history").exists()  # nothing went to SQLite


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """A Dagster service in its own session, as a process manager would run it (stopped with SIGINT)."""
    return subprocess.Popen(
        ["env", "--default-signal=INT", *args],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def most_at_once(intervals: list[tuple[float, float]]) -> int:
    """The largest number of intervals that overlap at one instant."""
    edges = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])
    running = peak = 0
    for _, step in edges:
        running += step
        peak = max(peak, running)
    return peak


@pytest.mark.services
def test_a_backfill_runs_two_partitions_at_a_time_with_the_multiprocess_executor(tmp_path: Path, database: str) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    shutil.copy(BUNDLED, reports)
    shutil.copy(SBS_REPORT, reports)
    (reports / "sosep-2021-cuatrimestre-2.txt").write_text(
        with_period(bundled_text(), "mayo-agosto", 2021), encoding="utf-8"
    )
    env = {**instance_env(tmp_path, database, reports), "RENDICION_SERIES": str(two_series(tmp_path))}
    port = free_port()
    # The webserver and the daemon as separate processes, as in production (docs/operaciones.md).
    webserver = start(
        [str(BIN / "dagster-webserver"), "-h", "127.0.0.1", "-p", str(port), "-w", "workspace.yaml"],
        env,
        tmp_path / "webserver.log",
    )
    daemon = None
    try:
        wait_for(f"http://127.0.0.1:{port}/server_info", webserver, timeout=120)
        # The sensor would ask for its own runs of these reports: this test is about the backfill.
        sensor = graphql(port, SENSOR, {"s": {**LOCATION, "sensorName": "new_reports"}})["sensorOrError"]
        graphql(
            port,
            STOP_SENSOR,
            {"id": sensor["id"], "origin": sensor["jobOriginId"], "selector": sensor["sensorState"]["selectorId"]},
        )
        for key in KEYS:
            graphql(port, ADD_PARTITION, {"key": key, "repo": LOCATION})
        params = {
            "partitionNames": KEYS,
            "assetSelection": [{"path": [a]} for a in BACKFILL_ASSETS],
            "runConfigData": MULTIPROCESS,
            "title": "prueba: tres particiones",
        }
        launched = graphql(port, BACKFILL, {"p": params})["launchPartitionBackfill"]
        assert launched["__typename"] == "LaunchBackfillSuccess", launched
        started = time.monotonic()
        daemon = start([str(BIN / "dagster-daemon"), "run", "-w", "workspace.yaml"], env, tmp_path / "daemon.log")
        status = wait_for_backfill(port, launched["backfillId"], daemon)
        took = time.monotonic() - started
    finally:
        for process in (daemon, webserver):
            if process is not None:
                stop(process, signal.SIGINT, timeout=60)

    assert status == "COMPLETED_SUCCESS", (tmp_path / "daemon.log").read_text(errors="replace")[-3000:]
    runs = [
        line.split("|")
        for line in psql(
            "SELECT partition, status, start_time, end_time FROM runs ORDER BY partition", DATABASE
        ).splitlines()
    ]
    assert [(r[0], r[1]) for r in runs] == [(k, "SUCCESS") for k in KEYS]
    peak = most_at_once([(float(r[2]), float(r[3])) for r in runs])
    assert peak <= 2
    workers = psql("SELECT count(*) FROM event_logs WHERE dagster_event_type = 'STEP_WORKER_STARTED'", DATABASE)
    assert int(workers) >= len(KEYS) * 4  # each step in its own process: the multiprocess executor
    assert sorted(p.name for p in (tmp_path / "paquetes").iterdir()) == [
        "sbs-informe-cuatrimestral-2021-1",
        "sosep-informe-cuatrimestral-2021-1",
        "sosep-informe-cuatrimestral-2021-2",
    ]
    durations = ", ".join(f"{r[0]} {float(r[3]) - float(r[2]):.1f} s" for r in runs)
    print(
        f"\nbackfill de {len(KEYS)} particiones en {took:.1f} s (daemon incluido); a la vez como máximo: {peak}; "
        f"corridas: {durations}"
    )


def wait_for_backfill(port: int, backfill_id: str, daemon: subprocess.Popen, timeout: float = 600) -> str:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        assert daemon.poll() is None, "el daemon terminó"
        status = graphql(port, BACKFILL_STATUS, {"id": backfill_id})["partitionBackfillOrError"]["status"]
        if status not in ("REQUESTED", "CANCELING", "FAILING"):
            return status
        time.sleep(2)
    raise AssertionError(f"el backfill {backfill_id} no terminó en {timeout} s")
