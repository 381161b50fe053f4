from datetime import date
from pathlib import Path

import pytest

from pipelines.errors import ReportError
from pipelines.report.period import detect_period
from pipelines.report.text import load_report
from tests.variants import BUNDLED, bundled_text, with_period, write


def test_bundled_report_is_january_to_april_2021() -> None:
    period = detect_period(load_report(BUNDLED))
    assert (period.key, period.start, period.end) == ("2021-C1", date(2021, 1, 1), date(2021, 4, 30))


@pytest.mark.parametrize(
    ("months", "year", "key", "end"),
    [
        ("mayo-agosto", 2021, "2021-C2", date(2021, 8, 31)),
        ("septiembre-diciembre", 2024, "2024-C3", date(2024, 12, 31)),
    ],
)
def test_other_periods_are_read_from_the_text(tmp_path: Path, months: str, year: int, key: str, end: date) -> None:
    period = detect_period(load_report(write(tmp_path, "r.txt", with_period(bundled_text(), months, year))))
    assert period.key == key and period.end == end


def test_a_period_that_is_not_four_months_is_refused(tmp_path: Path) -> None:
    text = bundled_text().replace("enero–abril de 2021", "enero–junio de 2021")
    with pytest.raises(ReportError, match="cuatrimestre"):
        detect_period(load_report(write(tmp_path, "r.txt", text)))
