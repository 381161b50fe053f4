"""Where the report disagrees with itself: recorded, never corrected."""

from pathlib import Path

from pipelines.report.text import load_report
from pipelines.tables.model import ParsedReport
from pipelines.tables.parse import parse_report
from tests.variants import bundled_text, rerender, write


def test_the_bundled_report_contradicts_its_own_totals(bundled: ParsedReport) -> None:
    found = {(d.recurso, d.campo, d.valor_declarado, d.valor_calculado) for d in bundled.discrepancies}
    # Hogares Comunitarios: the rows add up to 217 municipalities and 460 CADI; the totals line and
    # the prose say 218 and 462 (and the prose's "603 centros" agrees with the rows: 143 + 460).
    assert ("hogares-comunitarios", "municipios_con_presencia", "218", "217") in found
    assert ("hogares-comunitarios", "cadi", "462", "460") in found
    assert all(d.recurso == "hogares-comunitarios" for d in bundled.discrepancies)
    prose = [d for d in bundled.discrepancies if "LOGROS" in d.descripcion]
    assert {d.campo for d in prose} == {"cadi", "municipios_con_presencia"}
    assert all(d.linea for d in bundled.discrepancies)
    assert {d.tipo for d in bundled.discrepancies} == {"fuente"}  # no printed row breaks its own rules


def test_published_figures_stay_as_printed(bundled: ParsedReport) -> None:
    table = bundled.tables["hogares-comunitarios"]
    assert table.column_sum("cadi") == 460 and table.totals["cadi"] == 462


def test_every_check_is_listed_and_the_rest_agree(bundled: ParsedReport) -> None:
    results = {c.descripcion: c.resultado for c in bundled.checks}
    assert results["Centros de atención (hogares comunitarios más CADI) según LOGROS INSTITUCIONALES"] == "coincide"
    assert (
        results["Adultos mayores del cuadro departamental = ejecución de la meta física de atención integral"]
        == "coincide"
    )
    failed = [c for c in bundled.checks if c.resultado == "discrepa"]
    # The Hogares Comunitarios totals line (two columns) and the prose (two figures): the four discrepancies.
    assert sorted((c.recurso, c.tipo, c.expresion) for c in failed) == [
        ("hogares-comunitarios", "texto", "cadi"),
        ("hogares-comunitarios", "texto", "municipios_con_presencia"),
        ("hogares-comunitarios", "totales", "cadi"),
        ("hogares-comunitarios", "totales", "municipios_con_presencia"),
    ]
    rules = [c for c in bundled.checks if c.tipo == "regla-de-fila"]
    assert rules and all(c.comparaciones == c.cumplidas > 1 for c in rules)  # every printed row, one check per rule
    assert {c.tipo for c in bundled.checks} == {"regla-de-fila", "totales", "texto", "otro-cuadro"}


def test_broken_percentage_and_cross_table_figures_are_found(tmp_path: Path) -> None:
    text = bundled_text().replace(
        "Servicio Social Q7,194,735.00 Q6,596,188.00 Q1,176,282.82 17.83",
        "Servicio Social Q7,194,735.00 Q6,596,188.00 Q1,176,282.82 18.83",
    )

    def more_women(rows: list[dict]) -> list[dict]:
        zacapa = next(r for r in rows if r["departamento"] == "Zacapa")
        zacapa.update(mujeres_beneficiarias=zacapa["mujeres_beneficiarias"] + 100)
        return rows

    text = rerender(text, "mejoramiento-mujer", more_women)
    parsed = parse_report(load_report(write(tmp_path, "v.txt", text)))
    found = {(d.recurso, d.campo, d.valor_declarado, d.valor_calculado) for d in parsed.discrepancies}
    assert ("ejecucion-actividad", "porcentaje_ejecucion", "18.83", "17.83") in found
    kinds = {d.campo: d.tipo for d in parsed.discrepancies if d.recurso != "mejoramiento-mujer"}
    assert kinds["porcentaje_ejecucion"] == "aritmetica"
    # The physical target still says 17,457 women; the department table now adds up to 17,557.
    assert ("mejoramiento-mujer", "mujeres_beneficiarias", "17457", "17557") in found
