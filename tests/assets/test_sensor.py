"""The reports folder drives the runs: a new report file adds its partition (series and period) and asks for its run."""

from __future__ import annotations

import datetime as dt

import dagster as dg

from pipelines.assets.resources import Folders
from pipelines.assets.schedules import reporting_calendar
from pipelines.assets.sensors import new_reports
from tests.assets.conftest import Workspace
from tests.pdfs import report_pdf
from tests.variants import bundled_text, with_period


def tick(workspace: Workspace, cursor: str | None) -> dg.SensorResult | dg.SkipReason:
    context = dg.build_sensor_context(
        instance=workspace.instance,
        cursor=cursor,
        resources={"folders": Folders(reports_dir=str(workspace.reports), output_dir=str(workspace.output))},
    )
    return new_reports(context)


def apply(workspace: Workspace, result: dg.SensorResult) -> None:
    """What the daemon does with a sensor result's partition requests."""
    for request in result.dynamic_partitions_requests or []:
        workspace.instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))


def test_a_new_report_file_adds_its_period_and_requests_its_run(workspace: Workspace) -> None:
    workspace.add_report("sosep-2021-cuatrimestre-1.txt")
    first = tick(workspace, None)
    assert isinstance(first, dg.SensorResult)
    assert [r.partition_key for r in first.run_requests] == ["sosep-2021-C1"]
    assert first.dynamic_partitions_requests[0].partition_keys == ["sosep-2021-C1"]
    apply(workspace, first)

    assert isinstance(tick(workspace, first.cursor), dg.SkipReason)  # nothing new: no run

    # A new period's report appears under any file name: its own text names the period.
    workspace.add_report("informe-mayo-agosto.txt", with_period(bundled_text(), "mayo-agosto", 2021))
    workspace.reports.joinpath("informe-mayo-agosto.correcciones.toml").write_text("", encoding="utf-8")
    second = tick(workspace, first.cursor)
    assert [r.partition_key for r in second.run_requests] == ["sosep-2021-C2"]
    assert second.dynamic_partitions_requests[0].partition_keys == ["sosep-2021-C2"]
    assert second.run_requests[0].tags["rendicion/informe"] == "informe-mayo-agosto.txt"
    apply(workspace, second)
    assert sorted(workspace.instance.get_dynamic_partitions("serie_periodo")) == ["sosep-2021-C1", "sosep-2021-C2"]

    # A corrected report (same period, new bytes) is run again, without a new partition.
    workspace.add_report("sosep-2021-cuatrimestre-1.txt", bundled_text() + "\n")
    third = tick(workspace, second.cursor)
    assert [r.partition_key for r in third.run_requests] == ["sosep-2021-C1"]
    assert not third.dynamic_partitions_requests


def test_an_unreadable_file_is_skipped_without_hiding_the_others(workspace: Workspace) -> None:
    workspace.add_report("sosep-2021-cuatrimestre-1.txt")
    workspace.add_report("notas.txt", "Un archivo que no es un informe.\n")
    result = tick(workspace, None)
    assert [r.partition_key for r in result.run_requests] == ["sosep-2021-C1"]


def test_a_period_already_built_from_the_same_file_is_not_run_again(workspace: Workspace) -> None:
    workspace.add_report("sosep-2021-cuatrimestre-1.txt")
    assert workspace.run(selection=["report_text"]).success  # as `make run` leaves it
    result = tick(workspace, None)
    assert not result.run_requests


def test_the_calendar_reruns_every_registered_period(workspace: Workspace) -> None:
    workspace.add_report("sosep-2021-cuatrimestre-1.txt")
    workspace.add_report("sosep-2021-cuatrimestre-2.txt", with_period(bundled_text(), "mayo-agosto", 2021))
    workspace.instance.add_dynamic_partitions("serie_periodo", ["sosep-2021-C1", "sosep-2021-C2"])
    when = dt.datetime(2021, 9, 15, 7, tzinfo=dt.timezone(dt.timedelta(hours=-6)))
    context = dg.build_schedule_context(
        instance=workspace.instance,
        scheduled_execution_time=when,
        resources={"folders": Folders(reports_dir=str(workspace.reports))},
    )
    requests = reporting_calendar(context)
    assert [(r.partition_key, r.run_key) for r in requests] == [
        ("sosep-2021-C1", "sosep-2021-C1:2021-09-15"),
        ("sosep-2021-C2", "sosep-2021-C2:2021-09-15"),
    ]


def test_a_pdf_report_is_watched_like_a_text_one(workspace: Workspace) -> None:
    report_pdf(with_period(bundled_text(), "septiembre-diciembre", 2021), workspace.reports / "informe-sosep.pdf")
    result = tick(workspace, None)
    assert [r.partition_key for r in result.run_requests] == ["sosep-2021-C3"]
    assert result.run_requests[0].tags["rendicion/informe"] == "informe-sosep.pdf"
    assert isinstance(tick(workspace, result.cursor), dg.SkipReason)  # same bytes: nothing new
