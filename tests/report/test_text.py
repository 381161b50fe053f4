from pathlib import Path

import pytest

from pipelines.errors import ReportError
from pipelines.report.text import load_report
from tests.variants import BUNDLED


def test_bundled_report_loads_with_its_hash() -> None:
    report = load_report(BUNDLED)
    assert report.line(23) == "Ejecución Financiera por Grupo de Gasto"
    assert len(report.sha256) == 64


def test_empty_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "vacio.txt"
    path.write_text("  \n\n", encoding="utf-8")
    with pytest.raises(ReportError, match="vacío"):
        load_report(path)


def test_non_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("línea uno\nEjecución\n".encode("latin-1"))
    with pytest.raises(ReportError) as info:
        load_report(path)
    assert info.value.line == 1 and "UTF-8" in str(info.value)
