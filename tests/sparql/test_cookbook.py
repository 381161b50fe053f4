"""Each cookbook query answers its question on the bundled report, and keeps periods apart."""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from pipelines.paths import QUERIES_DIR
from pipelines.sparql import run_query
from pipelines.tables.model import ParsedReport
from tests.sparql.conftest import EXTRA_CHILDREN

COLUMNS = {
    "ejecucion-por-actividad": ["actividad", "asignado", "vigente", "ejecutado", "porcentaje_ejecucion"],
    "beneficiarios-por-departamento": ["departamento_codigo", "departamento", "programa", "beneficiarios"],
    "cobertura-departamental": ["departamento_codigo", "departamento", "programas"],
    "pueblos-por-programa": ["programa", "pueblo", "personas"],
    "metas-por-programa": ["programa", "concepto", "meta", "ejecucion", "porcentaje_ejecucion"],
    "costo-por-beneficiario": ["programa", "actividad", "ejecutado", "beneficiarios", "costo_por_beneficiario"],
    "genero-por-programa": ["programa", "sexo", "personas"],
    "procedencia-de-una-cifra": ["valor", "linea", "cuadro", "fuente", "informe", "sha256", "construido_con"],
    "hallazgos": ["consistencia", "linea", "valor_declarado", "valor_calculado", "descripcion"],
    "consistencia-por-informe": ["paquete", "comprobaciones", "cumplidas", "consistencia"],
    "suma-obeu": ["conjunto", "fase", "total"],
    "beneficiarios-entre-periodos": [
        "programa",
        "beneficiarios",
        "periodo_anterior",
        "beneficiarios_anterior",
        "cambio",
    ],
}
BENEFICIARIES = {
    "hogares-comunitarios": "ninos_beneficiarios",
    "servicio-social": "total_dotaciones",
    "mejoramiento-mujer": "mujeres_beneficiarias",
    "mis-anos-dorados": "total_genero",
}


def answer(name: str, graphs: list[Path]) -> list[dict[str, str]]:
    text = run_query((QUERIES_DIR / f"{name}.rq").read_text(encoding="utf-8"), graphs).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def period(rows: list[dict[str, str]], key: str) -> list[dict[str, str]]:
    return [r for r in rows if r["periodo"] == key]


def program_names(parsed: ParsedReport) -> dict[str, str]:
    return {p["key"]: p["name"] for p in parsed.series.programs}


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_columns_are_periodo_then_exactly_as_named(name: str, graphs: list[Path]) -> None:
    text = run_query((QUERIES_DIR / f"{name}.rq").read_text(encoding="utf-8"), graphs).decode("utf-8")
    header = next(csv.reader(io.StringIO(text)))
    assert header == ["periodo", *COLUMNS[name]]
    periods = {r["periodo"] for r in answer(name, graphs)}
    assert periods == {"2021-C1", "2021-C2"}


def test_every_query_file_is_in_the_cookbook_and_tested() -> None:
    assert {p.stem for p in QUERIES_DIR.glob("*.rq")} == set(COLUMNS)


def test_execution_by_activity_is_the_printed_table(bundled: ParsedReport, graphs: list[Path]) -> None:
    rows = {r["actividad"]: r for r in period(answer("ejecucion-por-actividad", graphs), "2021-C1")}
    table = bundled.tables["ejecucion-actividad"].rows
    assert set(rows) == {r.values["actividad"] for r in table}
    for printed in table:
        got = rows[printed.values["actividad"]]
        for field in COLUMNS["ejecucion-por-actividad"][1:]:
            assert Decimal(got[field]) == printed.values[field], (printed.label, field)


def test_beneficiaries_by_department_use_each_programs_count(bundled: ParsedReport, graphs: list[Path]) -> None:
    rows = period(answer("beneficiarios-por-departamento", graphs), "2021-C1")
    names = program_names(bundled)
    expected = {
        (r.values["departamento_codigo"], names[key], str(r.values[field]))
        for key, field in BENEFICIARIES.items()
        for r in bundled.tables[key].rows
    }
    assert {(r["departamento_codigo"], r["programa"], r["beneficiarios"]) for r in rows} == expected
    guatemala = next(r for r in rows if r["departamento_codigo"] == "01" and r["programa"] == "Hogares Comunitarios")
    assert guatemala["departamento"] == "Guatemala" and guatemala["beneficiarios"] == "1526"


def test_coverage_counts_programs_reaching_each_department(bundled: ParsedReport, graphs: list[Path]) -> None:
    rows = period(answer("cobertura-departamental", graphs), "2021-C1")
    assert len(rows) == 22
    reached: dict[str, int] = {}
    for key, field in BENEFICIARIES.items():
        for r in bundled.tables[key].rows:
            if r.values[field] > 0:
                reached[r.values["departamento_codigo"]] = reached.get(r.values["departamento_codigo"], 0) + 1
    assert {r["departamento_codigo"]: int(r["programas"]) for r in rows} == {
        f"{n:02d}": reached.get(f"{n:02d}", 0) for n in range(1, 23)
    }
    assert next(r for r in rows if r["departamento_codigo"] == "08")["programas"] == "2"  # Totonicapán


def test_peoples_by_program_are_the_printed_totals(bundled: ParsedReport, graphs: list[Path]) -> None:
    rows = period(answer("pueblos-por-programa", graphs), "2021-C1")
    got = {(r["programa"], r["pueblo"]): int(r["personas"]) for r in rows}
    assert got[("Mis Años Dorados", "Maya")] == bundled.tables["mis-anos-dorados"].totals["maya"] == 862
    assert got[("Servicio Social", "Ladino / mestizo")] == bundled.tables["servicio-social"].totals["ladino_mestizo"]
    assert got[("Mis Años Dorados", "Garífuna")] == 49
    assert ("Servicio Social", "Garífuna") not in got  # that table has no garífuna column
    assert len(rows) == 5


def test_targets_by_program_in_printed_order(bundled: ParsedReport, graphs: list[Path]) -> None:
    rows = period(answer("metas-por-programa", graphs), "2021-C1")
    table = bundled.tables["metas-fisicas"]
    known = {g.value: g.program for g in table.spec.groups.known}
    names = program_names(bundled)
    expected = sorted(
        (
            (
                names[known[r.values["direccion"]]],
                i,
                r.values["concepto"],
                str(r.values["meta"]),
                str(r.values["ejecucion"]),
                Decimal(r.values["porcentaje_ejecucion"]),
            )
            for i, r in enumerate(table.rows)
            if known.get(r.values["direccion"])
        )
    )
    got = [(r["programa"], r["concepto"], r["meta"], r["ejecucion"], Decimal(r["porcentaje_ejecucion"])) for r in rows]
    assert got == [(p, c, m, e, pct) for p, _, c, m, e, pct in expected]
    assert all("Dirección y Coordinación" != r["concepto"] for r in rows)


def test_cost_per_beneficiary_is_the_financing_activitys_spending_over_the_total(
    bundled: ParsedReport, graphs: list[Path]
) -> None:
    rows = {r["programa"]: r for r in period(answer("costo-por-beneficiario", graphs), "2021-C1")}
    spent = {r.values["actividad"]: r.values["ejecutado"] for r in bundled.tables["ejecucion-actividad"].rows}
    assert len(rows) == 4
    for p in bundled.series.programs:
        row = rows[p["name"]]
        people = bundled.tables[p["key"]].totals[BENEFICIARIES[p["key"]]]
        assert row["actividad"] == p["actividad"]
        assert Decimal(row["ejecutado"]) == spent[p["actividad"]]
        assert Decimal(row["beneficiarios"]) == people
        expected = (spent[p["actividad"]] / people).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert Decimal(row["costo_por_beneficiario"]) == expected
    assert rows["Hogares Comunitarios"]["costo_por_beneficiario"] == "1603.44"  # 22,056,960.31 / 13,756


def test_periods_loaded_together_keep_their_own_figures(graphs: list[Path]) -> None:
    rows = answer("beneficiarios-por-departamento", graphs)
    guatemala = {
        r["periodo"]: int(r["beneficiarios"])
        for r in rows
        if r["departamento_codigo"] == "01" and r["programa"] == "Hogares Comunitarios"
    }
    assert guatemala == {"2021-C1": 1526, "2021-C2": 1526 + EXTRA_CHILDREN}
    costs = {(r["periodo"], r["programa"]): r for r in answer("costo-por-beneficiario", graphs)}
    assert costs[("2021-C2", "Hogares Comunitarios")]["beneficiarios"] == str(13756 + EXTRA_CHILDREN)
    assert costs[("2021-C1", "Hogares Comunitarios")]["beneficiarios"] == "13756"
    assert len(answer("cobertura-departamental", graphs)) == 44


def test_grafo_ttl_alone_answers_every_cookbook_query(graphs: list[Path]) -> None:
    """Each package's graph carries the code lists and series vocabulary it uses: vocab/ is not needed."""
    import pyoxigraph as ox

    alone = ox.Store()
    for path in graphs:
        alone.load(path=str(path), format=ox.RdfFormat.TURTLE)
    for path in sorted(QUERIES_DIR.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        with_vocab = run_query(text, graphs)
        assert alone.query(text).serialize(format=ox.QueryResultsFormat.CSV) == with_vocab, path.name
        assert with_vocab.count(b"\n") > 1, path.name


def test_gender_is_the_printed_totals_of_each_sex(bundled: ParsedReport, graphs: list[Path]) -> None:
    rows = period(answer("genero-por-programa", graphs), "2021-C1")
    got = {(r["programa"], r["sexo"]): int(r["personas"]) for r in rows}
    totals = bundled.tables["mis-anos-dorados"].totals
    assert got[("Mis Años Dorados", "Hombre")] == totals["hombres"]
    assert got[("Mis Años Dorados", "Mujer")] == totals["mujeres"]
    assert got[("Servicio Social", "Mujer")] == bundled.tables["servicio-social"].totals["mujeres"]


def test_a_figures_provenance_names_its_line_table_source_file_and_hash(
    bundled: ParsedReport, graphs: list[Path]
) -> None:
    (row,) = period(answer("procedencia-de-una-cifra", graphs), "2021-C1")
    alta_verapaz = next(
        r for r in bundled.tables["hogares-comunitarios"].rows if r.values["departamento_codigo"] == "16"
    )
    assert (int(row["valor"]), int(row["linea"])) == (alta_verapaz.values["ninos_beneficiarios"], alta_verapaz.line)
    assert row["fuente"] == bundled.tables["hogares-comunitarios"].source
    assert (row["informe"], row["sha256"]) == (bundled.report.filename, bundled.report.sha256)
    assert row["construido_con"].startswith("rendicion-abierta ")


def test_audit_findings_are_the_quality_reports_discrepancies(bundled: ParsedReport, graphs: list[Path]) -> None:
    rows = period(answer("hallazgos", graphs), "2021-C1")
    assert sorted((int(r["linea"]), r["valor_declarado"], r["valor_calculado"]) for r in rows) == sorted(
        (d.linea, d.valor_declarado, d.valor_calculado) for d in bundled.discrepancies
    )
    made = sum(c.comparaciones for c in bundled.checks)
    held = sum(c.cumplidas for c in bundled.checks)
    assert {Decimal(r["consistencia"]) for r in rows} == {(Decimal(held) / made).quantize(Decimal("0.0001"))}
    ranking = answer("consistencia-por-informe", graphs)
    assert [r["periodo"] for r in ranking] and all(int(r["cumplidas"]) <= int(r["comprobaciones"]) for r in ranking)
    assert [Decimal(r["consistencia"]) for r in ranking] == sorted(Decimal(r["consistencia"]) for r in ranking)


def test_the_generic_openbudgets_sum_gives_the_printed_totals(bundled: ParsedReport, graphs: list[Path]) -> None:
    rows = period(answer("suma-obeu", graphs), "2021-C1")
    sums = {(r["conjunto"], r["fase"]): Decimal(r["total"]) for r in rows}
    printed = bundled.tables["ejecucion-actividad"].totals
    for phase, field in (("approved", "asignado"), ("revised", "vigente"), ("executed", "ejecutado")):
        assert sums[("ejecucion-actividad", phase)] == printed[field]  # the rows, never the totals line twice
        assert sums[("ejecucion-actividad-totales", phase)] == printed[field]
        assert sums[("ejecucion-grupo-gasto", phase)] == printed[field]  # the groups add up to the same budget


def test_the_comparison_across_periods_shows_each_programs_change(graphs: list[Path]) -> None:
    rows = {r["programa"]: r for r in period(answer("beneficiarios-entre-periodos", graphs), "2021-C2")}
    assert rows["Hogares Comunitarios"]["periodo_anterior"] == "2021-C1"
    assert int(rows["Hogares Comunitarios"]["cambio"]) == EXTRA_CHILDREN
    assert int(rows["Servicio Social"]["cambio"]) == 0
    first = period(answer("beneficiarios-entre-periodos", graphs), "2021-C1")
    assert all(r["periodo_anterior"] == "2020-C3" and r["cambio"] == "" for r in first)  # not published
