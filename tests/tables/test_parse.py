"""The bundled report's tables come out exactly as printed."""

from decimal import Decimal

from pipelines.tables.model import ParsedReport


def values(parsed: ParsedReport, table: str, key: str, label: str) -> dict:
    return next(r.values for r in parsed.tables[table].rows if r.values[key] == label)


def test_every_described_table_is_found_with_its_source_line(bundled: ParsedReport) -> None:
    counts = {name: len(t.rows) for name, t in bundled.tables.items()}
    assert counts == {
        "ejecucion-grupo-gasto": 6,
        "ejecucion-actividad": 5,
        "hogares-comunitarios": 22,
        "servicio-social": 15,
        "mejoramiento-mujer": 22,
        "mis-anos-dorados": 19,
        "metas-fisicas": 15,
        "albergues": 3,
    }
    assert bundled.tables["servicio-social"].source.endswith("con fecha 26/04/2021.")
    assert bundled.tables["ejecucion-actividad"].source == "Fuente Dirección Financiera 05/05/2021"


def test_money_with_q_prefix_and_a_label_broken_over_lines(bundled: ParsedReport) -> None:
    row = values(bundled, "ejecucion-actividad", "actividad", "Promoción Comunitaria y Asistencia Alimentaria")
    assert row["asignado"] == Decimal("117536922.00")
    assert row["ejecutado"] == Decimal("22056960.31")
    assert row["porcentaje_ejecucion"] == Decimal("18.70")


def test_transposed_budget_table_one_row_per_column_with_bare_zero(bundled: ParsedReport) -> None:
    rows = bundled.tables["ejecucion-grupo-gasto"].rows
    assert [r.values["grupo_gasto_codigo"] for r in rows] == ["0", "1", "2", "3", "4", "9"]
    last = rows[-1].values
    assert (last["asignado"], last["vigente"], last["porcentaje_ejecucion"]) == (
        Decimal("0.00"),
        Decimal("514043.00"),
        Decimal("0.00"),
    )
    assert str(last["asignado"]) == "0.00"


def test_departments_carry_ine_codes_and_printed_zeros(bundled: ParsedReport) -> None:
    row = values(bundled, "hogares-comunitarios", "departamento", "Alta Verapaz")
    assert row == {
        "departamento_codigo": "16",
        "departamento": "Alta Verapaz",
        "municipios_con_presencia": 10,
        "hogares_comunitarios": 0,
        "cadi": 20,
        "ninos_beneficiarios": 611,
    }


def test_target_concept_broken_over_lines_is_whole(bundled: ParsedReport) -> None:
    concepts = [r.values["concepto"] for r in bundled.tables["metas-fisicas"].rows]
    assert (
        "Mujeres beneficiadas con eventos de formación técnica productiva y en temas de Seguridad "
        "Alimentaria y Nutricional, para contribuir a generar mayores ingresos."
    ) in concepts
    directions = {r.values["direccion"] for r in bundled.tables["metas-fisicas"].rows}
    assert "Dirección de Mis Años Dorados" in directions and "Dirección y Coordinación" in directions


def test_shelters_dates_and_counts(bundled: ParsedReport) -> None:
    row = bundled.tables["albergues"].rows[2].values
    assert row["ubicacion"] == "Polideportivo Santo Domingo Zona 1 de Mixco"
    assert row["fecha_inicio"].isoformat() == "2020-11-09" and row["fecha_fin"].isoformat() == "2021-03-29"
    assert row["personas_beneficiadas"] == 3487


def test_totals_lines_are_not_data_rows(bundled: ParsedReport) -> None:
    for table in bundled.tables.values():
        labels = {r.label for r in table.rows}
        assert not any(label.startswith("TOTAL") for label in labels), table.name
