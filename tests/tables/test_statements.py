"""Every statement of the report against the others: labels, duplicates, dates, x / 0, lost rows."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pipelines.errors import ReportError
from pipelines.report.text import load_report
from pipelines.tables.model import ParsedReport
from pipelines.tables.parse import parse_report
from tests.variants import bundled_text, write


def parse_text(tmp_path: Path, text: str) -> ParsedReport:
    return parse_report(load_report(write(tmp_path, "informe.txt", text)))


def refusal(tmp_path: Path, text: str) -> ReportError:
    with pytest.raises(ReportError) as info:
        parse_text(tmp_path, text)
    return info.value


def test_the_clean_report_has_exactly_its_four_discrepancies(bundled: ParsedReport) -> None:
    assert len(bundled.discrepancies) == 4
    assert all(c.resultado in ("coincide", "discrepa") for c in bundled.checks)


def test_a_line_of_garbage_glued_to_an_activity_is_refused_with_the_closest_names(tmp_path: Path) -> None:
    text = bundled_text().replace(
        "Programa Nacional Mis Años Dorados Q32", "Mfjg¡j¿i$$O?\n\nPrograma Nacional Mis Años Dorados Q32"
    )
    error = refusal(tmp_path, text)
    assert error.table == "ejecucion-actividad" and error.line == 61
    assert "«Programa Nacional Mis Años Dorados»" in error.message  # the closest known name


def test_a_known_label_printed_in_capitals_is_published_in_the_series_spelling(
    tmp_path: Path, bundled: ParsedReport
) -> None:
    parsed = parse_text(tmp_path, bundled_text().replace("Creciendo Seguro Q10", "CRECIENDO SEGURO Q10"))
    assert [r.values for r in parsed.tables["ejecucion-actividad"].rows] == [
        r.values for r in bundled.tables["ejecucion-actividad"].rows
    ]


def test_two_rows_merged_on_one_line_are_refused(tmp_path: Path) -> None:
    text = bundled_text().replace(
        "servicio social. 7,744 411 5.31\n\nPersonas beneficiadas",
        "servicio social. 7,744 411 5.31 Personas beneficiadas",
    )
    error = refusal(tmp_path, text)
    assert error.table == "metas-fisicas" and "7,744 411" in error.message


def test_a_mangled_target_label_is_refused(tmp_path: Path) -> None:
    text = bundled_text().replace(
        "Adultos mayores beneficiados con servicios varios", "Adultos mayores beneficiados con servicios variox"
    )
    error = refusal(tmp_path, text)
    assert error.table == "metas-fisicas" and error.line == 558
    assert "servicios varios en Centros de Atención Diurna" in error.message


def test_a_lost_target_row_a_cross_check_needs_is_refused(tmp_path: Path) -> None:
    lines = bundled_text().split("\n")
    del lines[536]  # "Personas beneficiadas con productos ortopédicos …" (line 537)
    error = refusal(tmp_path, "\n".join(lines))
    assert error.table == "metas-fisicas" and "Personas beneficiadas con productos ortopédicos" in error.message


def test_a_prose_figure_that_is_not_found_is_a_discrepancy(tmp_path: Path) -> None:
    parsed = parse_text(tmp_path, bundled_text().replace("de 411 personas beneficiadas", "de 411 beneficiarios"))
    new = [d for d in parsed.discrepancies if d.recurso == "servicio-social"]
    assert len(new) == 1 and new[0].valor_declarado == "no encontrado" and new[0].valor_calculado == "411"


@pytest.mark.parametrize("copy", ["Jutiapa 33 48 81 81 81 81", "JUTIAPA 33 48 81 81 81 81"])
def test_a_duplicated_department_row_is_refused_naming_both_lines(tmp_path: Path, copy: str) -> None:
    printed = "Jutiapa 33 48 81 81 81 81"
    text = bundled_text().replace(printed, f"{printed}\n\n{copy}", 1)
    error = refusal(tmp_path, text)
    assert error.table == "servicio-social" and error.line == 249 and "línea 247" in error.message


def test_a_repeated_subproduct_is_refused_but_a_product_repeated_as_its_subproduct_is_not(
    tmp_path: Path, bundled: ParsedReport
) -> None:
    assert [r.label for r in bundled.tables["metas-fisicas"].rows[:2]] == ["Dirección y Coordinación"] * 2
    row = "Adultos mayores beneficiados con servicios en Centros de Atención Permanente. 150 60 40.00"
    error = refusal(tmp_path, bundled_text().replace(row, f"{row}\n{row}"))
    assert error.table == "metas-fisicas" and error.line == 561


def test_x_over_zero_is_a_discrepancy_not_a_match(tmp_path: Path) -> None:
    text = bundled_text().replace("atención en jornadas médicas. 0 0 0.00", "atención en jornadas médicas. 0 9 0.00")
    parsed = parse_text(tmp_path, text)
    found = [d for d in parsed.discrepancies if d.recurso == "metas-fisicas"]
    assert len(found) == 1 and found[0].linea == 539 and found[0].tipo == "aritmetica"
    assert found[0].valor_calculado.startswith("indefinido")


@pytest.mark.parametrize(
    ("printed", "why"),
    [("29-03-4021", "fuera"), ("29-03-2081", "fuera"), ("29-08-2021", "fuera"), ("01-11-2020", "posterior")],
)
def test_shelter_dates_must_fall_in_the_period_window_and_in_order(tmp_path: Path, printed: str, why: str) -> None:
    text = bundled_text().replace("9-11-2020 al 29-03-2021 1,751", f"9-11-2020 al {printed} 1,751")
    error = refusal(tmp_path, text)
    assert error.table == "albergues" and error.line == 611 and why in error.message


def test_one_figure_per_department_ends_in_a_bounded_refusal(tmp_path: Path) -> None:
    lines = bundled_text().split("\n")
    for number in range(323, 366):  # the women's table: keep each department's label and first figure
        words = lines[number].split()
        if len(words) >= 3 and words[-1][0].isdigit():
            label = [w for w in words if not w[0].isdigit()]
            lines[number] = " ".join([*label, words[len(label)]])
    started = time.monotonic()
    error = refusal(tmp_path, "\n".join(lines))
    assert time.monotonic() - started < 10
    assert error.table == "mejoramiento-mujer" and "correcciones" in error.message
