"""The four-month period a report covers, read from its own text."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from pipelines.errors import ReportError
from pipelines.report.text import ReportText

MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
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


ORDINALS = {"primer": 1, "primero": 1, "segundo": 2, "tercer": 3, "tercero": 3}
# "Primer Informe Cuatrimestral", "en este primer cuatrimestre"
ORDINAL = re.compile(r"\b(?P<ordinal>" + "|".join(ORDINALS) + r")\s+(?:informe\s+)?cuatrimestr", re.IGNORECASE)


def _mentions(report: ReportText) -> list[tuple[int, str, Period]]:
    """Every statement of the period in the text: line, wording, period it names."""
    found = []
    for number, line in enumerate(report.lines, start=1):
        for match in PERIOD.finditer(line):
            start = MONTHS.index(match["start"].lower()) + 1
            end = MONTHS.index(match["end"].lower()) + 1
            if start not in (1, 5, 9) or end != start + 3:
                raise ReportError(
                    f"el período «{match[0]}» no es un cuatrimestre (enero–abril, mayo–agosto o septiembre–diciembre)",
                    line=number,
                    report=report.filename,
                )
            found.append((number, match[0], Period(year=int(match["year"]), number=(start + 3) // 4)))
    return found


def detect_period(report: ReportText) -> Period:
    """The period every "<month>–<month> de <year>" of the text names; they must all agree.

    The period is the package's identity: a single misprinted year must not
    file the figures under another period, so one dissenting mention (or a
    "segundo cuatrimestre" in a January–April report) refuses the report.
    """
    mentions = _mentions(report)
    if not mentions:
        raise ReportError(
            "no se encontró el período del informe (p. ej. «enero–abril de 2021»)", report=report.filename
        )
    first_line, first_words, period = mentions[0]
    for line, words, other in mentions[1:]:
        if other != period:
            raise ReportError(
                f"el informe se contradice sobre su período: «{first_words}» (línea {first_line}) y «{words}» "
                f"(línea {line})",
                line=line,
                report=report.filename,
            )
    for line, text in enumerate(report.lines, start=1):
        for match in ORDINAL.finditer(text):
            if ORDINALS[match["ordinal"].lower()] != period.number:
                raise ReportError(
                    f"el texto dice «{match[0]}…» pero el período es {period.label} (línea {first_line})",
                    line=line,
                    report=report.filename,
                )
    return period
