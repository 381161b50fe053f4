"""Run the Dagster assets in-process on a temporary reports folder, as an operator's run would."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import pytest

from pipelines.assets import ASSETS, CHECKS
from pipelines.assets.partitions import PARTITIONS
from pipelines.assets.resources import CkanPortal, Folders, SparqlStore
from pipelines.paths import SPECS_DIR
from tests.variants import BUNDLED

PERIOD = "sosep-2021-C1"
"""The bundled report's partition: its series and period."""
UNUSED_PORTAL = "http://127.0.0.1:9"  # nothing listens: a publication attempt would fail loudly


@dataclass
class Outcome:
    """What one run did, in the terms an operator reads in the UI."""

    success: bool
    materialized: list[str]
    checks: dict[str, dg.AssetCheckEvaluation]
    metadata: dict[str, dict[str, object]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


@dataclass
class Workspace:
    reports: Path
    output: Path
    store: Path
    instance: dg.DagsterInstance
    series: Path = SPECS_DIR

    def add_report(self, name: str, text: str | None = None) -> Path:
        path = self.reports / name
        if text is None:
            shutil.copy(BUNDLED, path)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def resources(self, portal: CkanPortal | None = None) -> dict[str, object]:
        return {
            "folders": Folders(reports_dir=str(self.reports), output_dir=str(self.output), series_dir=str(self.series)),
            "sparql": SparqlStore(location=str(self.store)),
            "portal": portal or CkanPortal(url=UNUSED_PORTAL, token="secreto-de-prueba"),
        }

    def logs(self) -> str:
        """Every message every run logged, as the UI's run pages show them."""
        return "\n".join(
            entry.message or "" for run in self.instance.get_runs() for entry in self.instance.all_logs(run.run_id)
        )

    def run(
        self, period: str = PERIOD, selection: list[str] | None = None, portal: CkanPortal | None = None
    ) -> Outcome:
        if period not in self.instance.get_dynamic_partitions(PARTITIONS.name):
            self.instance.add_dynamic_partitions(PARTITIONS.name, [period])
        result = dg.materialize(
            [*ASSETS, *CHECKS],
            selection=selection,
            partition_key=period,
            instance=self.instance,
            resources=self.resources(portal),
            raise_on_error=False,
        )
        outcome = Outcome(result.success, [], {})
        for event in result.all_events:
            if event.event_type_value == "ASSET_MATERIALIZATION":
                materialization = event.event_specific_data.materialization
                key = materialization.asset_key.to_user_string()
                outcome.materialized.append(key)
                outcome.metadata[key] = {k: getattr(v, "value", v) for k, v in materialization.metadata.items()}
            elif event.event_type_value == "ASSET_CHECK_EVALUATION":
                evaluation = event.event_specific_data
                outcome.checks[evaluation.check_name] = evaluation
            elif event.event_type_value == "STEP_FAILURE":
                outcome.failures.append(event.step_key)
        return outcome


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    reports = tmp_path / "reports"
    reports.mkdir()
    (tmp_path / "dagster").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "dagster")) as instance:
        yield Workspace(reports, tmp_path / "datapackages", tmp_path / "store", instance)
