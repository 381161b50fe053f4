"""The four-month period a report covers, read from its own text."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from pipelines.errors import ReportError
from pipelines.report.text import ReportText

MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
          "septiembre", "octubre", "noviembre", "diciembre")
# "enero–abril de 2021", "enero-abril de 2021", "mayo - agosto de 2022"
PERIOD = re.compile(
    r"\b(?P<start>" + "|".join(MONTHS) + r")\s*[–—-]\s*(?P<end>" + "|".join(MONTHS) + r")\s+de\s+(?P<year>\d{4})\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Period:
    year: int
    number: int
    """1 = January–April, 2 = May–August, 3 = September–December."""

    @property
    def key(self) -> str:
        """The period's identifier in IRIs, partitions and queries, e.g. `2021-C1`."""
        return f"{self.year}-C{self.number}"

    @property
    def start(self) -> date:
        return date(self.year, 4 * (self.number - 1) + 1, 1)

    @property
    def end(self) -> date:
        month = 4 * self.number
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    @property
    def label(self) -> str:
        first, last = MONTHS[self.start.month - 1], MONTHS[self.end.month - 1]
        return f"{first}–{last} de {self.year}"


def detect_period(report: ReportText) -> Period:
    """The first "<month>–<month> de <year>" in the text that spans a four-month period."""
    for number, line in enumerate(report.lines, start=1):
        for match in PERIOD.finditer(line):
            start = MONTHS.index(match["start"].lower()) + 1
            end = MONTHS.index(match["end"].lower()) + 1
            if start in (1, 5, 9) and end == start + 3:
                return Period(year=int(match["year"]), number=(start + 3) // 4)
            raise ReportError(
                f"el período «{match[0]}» no es un cuatrimestre (enero–abril, mayo–agosto o septiembre–diciembre)",
                line=number,
                report=report.filename,
            )
    raise ReportError(
        "no se encontró el período del informe (p. ej. «enero–abril de 2021»)", report=report.filename
    )
