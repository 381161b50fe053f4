"""The PostgreSQL variant of the instance (dagster.postgres.yaml) records runs in the local server."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from pipelines.paths import ROOT
from tests.assets.services import psql
from tests.variants import BUNDLED

DATABASE = "rendicion_dagster_test"


@pytest.mark.services
def test_a_run_is_recorded_in_postgresql(tmp_path: Path) -> None:
    psql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    psql(f"CREATE DATABASE {DATABASE}")
    home = tmp_path / "dagster"
    home.mkdir()
    # What the scripts do with RENDICION_DAGSTER_CONFIG=dagster.postgres.yaml:
    (home / "dagster.yaml").symlink_to(ROOT / "dagster.postgres.yaml")
    reports = tmp_path / "reports"
    reports.mkdir()
    shutil.copy(BUNDLED, reports)
    env = {**os.environ, "DAGSTER_HOME": str(home), "RENDICION_INFORMES": str(reports),
           "RENDICION_PAQUETES": str(tmp_path / "paquetes"),
           "DAGSTER_PG_URL": f"postgresql+psycopg2://postgres@127.0.0.1:5432/{DATABASE}"}
    python = str(ROOT / ".venv" / "bin" / "python")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)

    registered = run(python, "-m", "pipelines.assets.operator", "register", str(reports / BUNDLED.name))
    assert registered.returncode == 0 and registered.stdout.strip() == "2021-C1", registered.stderr
    done = run(str(ROOT / ".venv" / "bin" / "dagster"), "asset", "materialize", "-m", "pipelines.definitions",
               "--partition", "2021-C1", "--select", "report_text,parsed_tables,datapackage")
    assert done.returncode == 0, done.stderr[-3000:]

    assert psql("SELECT status FROM runs", DATABASE) == "SUCCESS"
    assert psql("SELECT partition FROM dynamic_partitions", DATABASE) == "2021-C1"
    keys = psql("SELECT asset_key FROM asset_keys ORDER BY asset_key", DATABASE).splitlines()
    assert keys == ['["datapackage"]', '["parsed_tables"]', '["report_text"]']
    checks = psql("SELECT check_name, execution_status FROM asset_check_executions ORDER BY check_name", DATABASE)
    assert "package_valid|SUCCEEDED" in checks and "reconciliation|" in checks
    assert not (home / "history").exists()  # nothing went to SQLite
    psql(f"DROP DATABASE {DATABASE} WITH (FORCE)")
