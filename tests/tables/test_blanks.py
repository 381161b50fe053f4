"""Blank cells: placed from row rules and totals, on the bundled report and on variants."""

from pathlib import Path

import pytest

from pipelines.errors import ReportError
from pipelines.report.text import load_report
from pipelines.tables.model import ParsedReport
from pipelines.tables.parse import parse_report
from tests.variants import bundled_text, rerender, write


def placed(parsed: ParsedReport, table: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for cell in parsed.placed:
        if cell.recurso == table:
            out.setdefault(cell.fila, set()).add(cell.campo)
    return out


def test_bundled_blanks_are_placed_uniquely_and_recorded(bundled: ParsedReport) -> None:
    social = placed(bundled, "servicio-social")
    # Maya total 33 leaves exactly 3 Maya persons for the short rows: Huehuetenango's.
    assert social["Huehuetenango"] == {"ladino_mestizo"}
    assert social["Sacatepéquez"] == {"hombres", "maya"}
    assert social["Quiché"] == {"hombres"}
    assert placed(bundled, "mejoramiento-mujer") == {
        "Jalapa": {"eventos_comercializacion"},
        "Suchitepéquez": {"eventos_comercializacion"},
    }
    assert all(c.metodo == "reglas-y-totales" and c.valor == 0 and c.linea > 0 for c in bundled.placed)


def test_placed_rows_satisfy_the_printed_totals(bundled: ParsedReport) -> None:
    for name in ("servicio-social", "mejoramiento-mujer", "mis-anos-dorados"):
        table = bundled.tables[name]
        for field, stated in table.totals.items():
            if table.spec.field(field).total:
                assert table.column_sum(field) == stated, (name, field)


def _parse(tmp_path: Path, text: str) -> ParsedReport:
    return parse_report(load_report(write(tmp_path, "variante.txt", text)))


def test_blanks_in_other_places_and_other_departments(tmp_path: Path) -> None:
    def change(rows: list[dict]) -> list[dict]:
        rows = [r for r in rows if r["departamento"] != "Jutiapa"]  # a department drops out
        next(r for r in rows if r["departamento"] == "Guatemala").update(ladino_mestizo=89, maya=0)
        next(r for r in rows if r["departamento"] == "Chimaltenango").update(hombres=0, mujeres=20)
        return rows  # blanks move to Guatemala's Maya and Chimaltenango's men

    parsed = _parse(tmp_path, rerender(bundled_text(), "servicio-social", change))
    blanks = placed(parsed, "servicio-social")
    assert blanks["Guatemala"] == {"maya"} and blanks["Chimaltenango"] == {"hombres"}
    assert "Jutiapa" not in {r.values["departamento"] for r in parsed.tables["servicio-social"].rows}
    chimal = next(
        r.values for r in parsed.tables["servicio-social"].rows if r.values["departamento"] == "Chimaltenango"
    )
    assert (chimal["hombres"], chimal["mujeres"], chimal["maya"]) == (0, 20, 19)


def test_unplaceable_blanks_name_the_table_and_rows(tmp_path: Path) -> None:
    text = bundled_text().replace("TOTALES 189 222 411 378 33 411 411", "TOTALES 189 222 411 300 33 411 411")
    with pytest.raises(ReportError) as info:
        _parse(tmp_path, text)
    assert info.value.table == "servicio-social" and info.value.line == 237
    assert "«El Progreso» (línea 237)" in str(info.value) and "correcciones" in str(info.value)


def test_ambiguous_blanks_fail_then_a_reviewed_correction_settles_them(tmp_path: Path) -> None:
    def mirror(rows: list[dict]) -> list[dict]:
        # Six men in one department, six women in another: both print "6 6 6 6 6" and
        # swapping them keeps every column total, so the totals cannot decide.
        for name, men in (("El Progreso", 6), ("Escuintla", 0)):
            row = next(r for r in rows if r["departamento"] == name)
            row.update(hombres=men, mujeres=6 - men)
        return rows

    report = write(tmp_path, "ambiguo.txt", rerender(bundled_text(), "servicio-social", mirror))
    with pytest.raises(ReportError, match="más de una ubicación") as info:
        parse_report(load_report(report))
    assert "«El Progreso» (línea 237)" in str(info.value) and "«Escuintla» (línea 239)" in str(info.value)

    report.with_name("ambiguo.correcciones.toml").write_text(
        '[[celdas_vacias]]\ntabla = "servicio-social"\nfila = "El Progreso"\ncampos = ["mujeres", "maya"]\n'
        'revisado_por = "Equipo de datos"\nnota = "Confirmado con la Dirección de Servicio Social"\n',
        encoding="utf-8",
    )
    parsed = parse_report(load_report(report))
    reviewed = {(c.fila, c.campo) for c in parsed.placed if c.metodo == "correccion-revisada"}
    assert reviewed == {("El Progreso", "mujeres"), ("El Progreso", "maya")}
    escuintla = next(r.values for r in parsed.tables["servicio-social"].rows if r.values["departamento"] == "Escuintla")
    assert (escuintla["hombres"], escuintla["mujeres"]) == (0, 6)


def test_a_correction_that_does_not_fit_the_row_is_refused(tmp_path: Path) -> None:
    report = write(tmp_path, "mal-corregido.txt", bundled_text())
    report.with_name("mal-corregido.correcciones.toml").write_text(
        '[[celdas_vacias]]\ntabla = "servicio-social"\nfila = "Quiché"\ncampos = ["hombres", "maya"]\n'
        'revisado_por = "Equipo de datos"\n',
        encoding="utf-8",
    )
    with pytest.raises(ReportError, match="le faltan 1") as info:
        parse_report(load_report(report))
    assert (info.value.table, info.value.line) == ("servicio-social", 251)
