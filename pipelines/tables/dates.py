"""Dates a table prints must belong to the period the report covers.

A shelter "until 29-03-4021" types as a valid date; only the period can tell it
is a misprint. Each table declares how far before and after its period its
dates may fall, and which of its dates must come in order.
"""

from __future__ import annotations

from datetime import date, timedelta

from pipelines.errors import ReportError
from pipelines.report.period import Period
from pipelines.tables.model import Table


def check_dates(table: Table, period: Period, report: str) -> None:
    """Refuse a row whose dates fall outside the table's window or run backwards."""
    spec = table.spec
    dates = [f.name for f in spec.fields if f.type == "date"]
    if not dates:
        return
    window = spec.date_window
    if window is None:
        raise ReportError(
            "el cuadro tiene fechas pero su descripción no declara date_window", table=spec.name, report=report
        )
    first = period.start - timedelta(days=window.days_before)
    last = period.end + timedelta(days=window.days_after)
    for row in table.rows:
        for name in dates:
            value: date = row.values[name]
            if not first <= value <= last:
                raise ReportError(
                    f"columna {name}: la fecha {value:%d-%m-%Y} está fuera de lo que cubre un informe de "
                    f"{period.label} (del {first:%d-%m-%Y} al {last:%d-%m-%Y})",
                    table=spec.name,
                    line=row.line,
                    report=report,
                )
        for earlier, later in zip(spec.date_order, spec.date_order[1:]):
            if row.values[earlier] > row.values[later]:
                raise ReportError(
                    f"{earlier} ({row.values[earlier]:%d-%m-%Y}) es posterior a {later} ({row.values[later]:%d-%m-%Y})",
                    table=spec.name,
                    line=row.line,
                    report=report,
                )
