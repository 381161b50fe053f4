"""Re-check and re-publish on the reporting calendar.

Four-month periods close on 30 April, 31 August and 31 December; entities
publish their report in the following weeks. On the 15th of the month after
each close (15 May, 15 September, 15 January, 07:00 Guatemala time) every
partition (series and period) with a report in the folder is run again: the checks are re-evaluated
against the files as they are now (a corrected report, the new previous
period) and the idempotent publication brings the portal back in line.
"""

from dagster import DefaultScheduleStatus, RunRequest, ScheduleEvaluationContext, SkipReason, schedule

from pipelines.assets.jobs import publish_period
from pipelines.assets.partitions import PARTITIONS, scan_reports
from pipelines.assets.resources import Folders

CALENDAR = "0 7 15 1,5,9 *"
TIMEZONE = "America/Guatemala"


@schedule(
    job=publish_period,
    cron_schedule=CALENDAR,
    execution_timezone=TIMEZONE,
    default_status=DefaultScheduleStatus.RUNNING,
    description="Tras el cierre de cada cuatrimestre (15 de enero, mayo y septiembre): vuelve a comprobar "
    "y publicar cada serie y período con informe.",
)
def reporting_calendar(context: ScheduleEvaluationContext, folders: Folders) -> list[RunRequest] | SkipReason:
    """One run per registered partition whose report is in the folder (the sensor registers new ones)."""
    known = set(context.instance.get_dynamic_partitions(PARTITIONS.name))
    found, _ = scan_reports(folders.reports, folders.series)
    keys = sorted(k for k in found if k in known)
    if not keys:
        return SkipReason("No hay particiones (serie y período) registradas con informe en la carpeta")
    day = context.scheduled_execution_time.date().isoformat() if context.scheduled_execution_time else "manual"
    return [RunRequest(partition_key=key, run_key=f"{key}:{day}") for key in keys]
