"""Dagster wiring for the pipeline: one asset per stage, one partition per report (series × period).

Every asset calls the same stage function the `rendicion` CLI calls; this
package only adds partitions, checks, metadata, the sensor and the schedule.
"""

from __future__ import annotations

from pipelines.assets.checks import plausible_vs_previous
from pipelines.assets.jobs import EXECUTOR, publish_period
from pipelines.assets.package import package_and_graph
from pipelines.assets.publication import portal_publication
from pipelines.assets.report import parsed_tables, report_text
from pipelines.assets.resources import resources_from_env
from pipelines.assets.schedules import reporting_calendar
from pipelines.assets.sensors import new_reports
from pipelines.assets.store import sparql_store

ASSETS = [report_text, parsed_tables, package_and_graph, sparql_store, portal_publication]
CHECKS = [plausible_vs_previous]
JOBS = [publish_period]
SENSORS = [new_reports]
SCHEDULES = [reporting_calendar]

__all__ = ["ASSETS", "CHECKS", "EXECUTOR", "JOBS", "SCHEDULES", "SENSORS", "resources_from_env"]
