"""The code location loads, with one asset per stage wired in order and the publication gated."""

from __future__ import annotations

import dagster as dg
import pytest

from pipelines import settings
from pipelines.assets.resources import TOKEN_ENV, CkanPortal, Folders, SparqlStore, resources_from_env
from pipelines.paths import ROOT

STAGES = ["report_text", "parsed_tables", "datapackage", "graph", "sparql_store", "portal_publication"]


@pytest.fixture(scope="module")
def repository() -> dg.RepositoryDefinition:
    from pipelines.definitions import defs

    return defs.get_repository_def()


def test_every_stage_is_a_report_partitioned_asset_in_pipeline_order(repository: dg.RepositoryDefinition) -> None:
    graph = repository.asset_graph
    assert sorted(k.to_user_string() for k in graph.get_all_asset_keys()) == sorted(STAGES)
    parents = {
        k.to_user_string(): {p.to_user_string() for p in graph.get(k).parent_keys} for k in graph.get_all_asset_keys()
    }
    assert parents == {
        "report_text": set(),
        "parsed_tables": {"report_text"},
        "datapackage": {"parsed_tables"},
        "graph": {"datapackage"},
        "sparql_store": {"graph"},
        "portal_publication": {"datapackage", "graph"},
    }
    for key in graph.get_all_asset_keys():
        assert graph.get(key).partitions_def == dg.DynamicPartitionsDefinition(name="serie_periodo")


def test_the_gating_checks_are_blocking(repository: dg.RepositoryDefinition) -> None:
    checks = {(c.asset_key.to_user_string(), c.name): c for c in repository.asset_graph.asset_check_keys}
    assert set(checks) == {
        ("parsed_tables", "reconciliation"),
        ("parsed_tables", "plausible_vs_previous"),
        ("datapackage", "package_valid"),
        ("graph", "shacl_conformance"),
    }
    for key in checks.values():
        assert repository.asset_graph.get_check_spec(key).blocking


def test_sensor_schedule_and_job_are_defined(repository: dg.RepositoryDefinition) -> None:
    assert repository.has_sensor_def("new_reports")
    schedule = repository.get_schedule_def("reporting_calendar")
    assert schedule.cron_schedule == "0 7 15 1,5,9 *" and schedule.execution_timezone == "America/Guatemala"
    assert repository.has_job("publish_period")


def test_the_portal_token_is_an_environment_reference_not_a_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, "token-que-no-debe-verse")
    portal = resources_from_env()["portal"]
    assert isinstance(portal, CkanPortal)
    assert "token-que-no-debe-verse" not in repr(portal._get_non_default_public_field_values())  # noqa: SLF001
    assert CkanPortal(token="abc123").redact("Authorization: abc123 rechazado") == "Authorization: *** rechazado"


def test_resources_take_their_defaults_from_settings_and_the_environment_only_in_resources_from_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    for setting in settings.ALL:
        monkeypatch.delenv(setting.env, raising=False)
    defaults = resources_from_env({})
    assert defaults["folders"] == Folders() and defaults["sparql"] == SparqlStore()
    assert Folders().series_dir == settings.SERIES.default and Folders().reports_dir == settings.REPORTS.default
    assert SparqlStore().location == settings.STORE.default
    assert CkanPortal().retries == int(settings.PUBLISH_RETRIES.default)

    configured = resources_from_env({settings.SERIES.env: str(tmp_path), settings.PUBLISH_RETRIES.env: "0"})
    folders = configured["folders"]
    assert isinstance(folders.series_dir, dg.EnvVar) and folders.series_dir.env_var_name == settings.SERIES.env
    assert configured["portal"].retries == 0


def test_the_operators_guide_lists_every_setting() -> None:
    guide = (ROOT / "docs" / "operaciones.md").read_text(encoding="utf-8")
    rows = [line for line in guide.splitlines() if line.startswith("| `")]
    missing = [s.env for s in settings.ALL if not any(row.startswith(f"| `{s.env}` |") for row in rows)]
    assert not missing, f"docs/operaciones.md no lista: {missing}"
