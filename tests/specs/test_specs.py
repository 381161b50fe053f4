"""Table descriptions are data: a new table is a TOML file, not code."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipelines.build import write_package
from pipelines.paths import SPECS_DIR
from pipelines.report.text import load_report
from pipelines.specs import load_series
from pipelines.tables.parse import parse_report
from tests.variants import bundled_text, write

NEW_TABLE = """
name = "becas"
title = "Becas entregadas por departamento"
description = "Becas entregadas por departamento."
program = "hogares-comunitarios"
heading = "Becas entregadas por departamento"
header_end = "DEPARTAMENTO BECAS MONTO"
layout = "rows"
primary_key = ["departamento_codigo"]
totals = { label = "TOTALES" }

[[fields]]
use = "departamento_codigo"

[[fields]]
use = "departamento"

[[fields]]
name = "becas"
title = "Becas"
description = "Becas entregadas."
type = "integer"
unit = "beca"
blank = true
total = true

[[fields]]
name = "monto"
title = "Monto"
description = "Monto entregado, en quetzales."
type = "number"
unit = "GTQ"
decimals = 2
blank = true
total = true
"""

NEW_TEXT = """

Becas entregadas por departamento, enero-abril de 2021.

DEPARTAMENTO BECAS MONTO

El Quiché 12 Q1,200.50

Peten Q300.00

Jalapa 3

TOTALES 15 Q1,500.50

Fuente: datos de prueba con fecha 30/04/2021.
"""


def test_the_series_declares_every_table_in_print_order() -> None:
    series = load_series()
    assert [t.name for t in series.tables][:2] == ["ejecucion-grupo-gasto", "ejecucion-actividad"]
    social = series.table("servicio-social")
    assert social.field("hombres").sexo == "hombre" and social.field("hombres").blank
    assert social.field("departamento_codigo").source == "department_code"  # from the shared fields


def test_a_new_table_is_only_a_toml_file(tmp_path: Path) -> None:
    root = tmp_path / "specs"
    shutil.copytree(SPECS_DIR / "sosep", root / "sosep")
    (root / "sosep" / "tablas" / "09-becas.toml").write_text(NEW_TABLE, encoding="utf-8")
    series = load_series("sosep", root)
    report = write(tmp_path, "con-becas.txt", bundled_text() + NEW_TEXT)
    parsed = parse_report(load_report(report), series)
    rows = [r.values for r in parsed.tables["becas"].rows]
    assert rows[0]["departamento_codigo"] == "14" and rows[1]["becas"] == 0
    # "Q300.00" cannot be a count of scholarships, "3" fits either column: the totals decide.
    assert (rows[2]["becas"], str(rows[2]["monto"])) == (3, "0.00")
    placed = {(c.fila, c.campo, c.valor) for c in parsed.placed if c.recurso == "becas"}
    assert placed == {("Peten", "becas", 0), ("Jalapa", "monto", "0.00")}
    package = write_package(parsed, tmp_path / "out")
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    becas = next(r for r in descriptor["resources"] if r["name"] == "becas")
    assert [f["title"] for f in becas["schema"]["fields"]] == [
        "Código del departamento",
        "Departamento",
        "Becas",
        "Monto",
    ]
    assert "`becas`" in (package / "README.md").read_text(encoding="utf-8")


def test_unknown_keys_in_a_description_fail_loudly(tmp_path: Path) -> None:
    root = tmp_path / "specs"
    shutil.copytree(SPECS_DIR / "sosep", root / "sosep")
    (root / "sosep" / "tablas" / "09-mala.toml").write_text(
        NEW_TABLE.replace("layout", "disposicion"), encoding="utf-8"
    )
    with pytest.raises(ValueError, match="disposicion"):
        load_series("sosep", root)
