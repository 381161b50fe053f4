"""Dagster code location `rendicion`: each stage an asset, one partition per report (docs/operaciones.md)."""

from dagster import Definitions

from pipelines.assets import ASSETS, CHECKS, EXECUTOR, JOBS, SCHEDULES, SENSORS, resources_from_env

defs = Definitions(
    assets=ASSETS,
    asset_checks=CHECKS,
    jobs=JOBS,
    sensors=SENSORS,
    schedules=SCHEDULES,
    resources=resources_from_env(),
    executor=EXECUTOR,
)
