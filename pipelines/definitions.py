"""Dagster code location `rendicion`: each stage an asset per report period (docs/operaciones.md)."""

from dagster import Definitions, in_process_executor

from pipelines.assets import ASSETS, CHECKS, JOBS, SCHEDULES, SENSORS, resources_from_env

defs = Definitions(assets=ASSETS, asset_checks=CHECKS, jobs=JOBS, sensors=SENSORS, schedules=SCHEDULES,
                   resources=resources_from_env(), executor=in_process_executor)
