"""`rendicion build`: valid, reproducible packages, and nothing at all for bad input."""

from __future__ import annotations

import csv
import filecmp
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.build import build_report
from pipelines.cli import main
from pipelines.paths import DATAPACKAGES_DIR, ROOT
from tests.variants import BUNDLED, bundled_text, with_period, write

NAME = "sosep-informe-cuatrimestral-2021-1"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("paquetes")
    assert main(["build", str(BUNDLED), "--out", str(out)]) == 0
    return out / NAME


def rows(package: Path, resource: str) -> list[dict[str, str]]:
    with open(package / "data" / f"{resource}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_package_lists_the_data_dictionary_resources(built: Path) -> None:
    descriptor = json.loads((built / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    names = [r["name"] for r in descriptor["resources"]]
    assert names[:10] == [
        "ejecucion-grupo-gasto",
        "ejecucion-actividad",
        "hogares-comunitarios",
        "servicio-social",
        "mejoramiento-mujer",
        "mis-anos-dorados",
        "metas-fisicas",
        "albergues",
        "departamentos",
        "calidad",
    ]
    assert descriptor["periodo"] == {
        "clave": "2021-C1",
        "inicio": "2021-01-01",
        "fin": "2021-04-30",
        "etiqueta": "enero–abril de 2021",
    }
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    social = next(r for r in descriptor["resources"] if r["name"] == "servicio-social")
    assert social["fuente"].startswith("Fuente: Elaboración propia")
    assert social["schema"]["foreignKeys"][0]["reference"] == {"resource": "departamentos", "fields": ["codigo"]}
    groups = next(r for r in descriptor["resources"] if r["name"] == "ejecucion-grupo-gasto")
    assert "no se leyeron del informe" in groups["nota"]


def test_csv_headers_are_the_public_contract(built: Path) -> None:
    header = {p.stem: next(csv.reader(open(p, encoding="utf-8"))) for p in (built / "data").glob("*.csv")}
    assert header["ejecucion-grupo-gasto"] == [
        "grupo_gasto_codigo",
        "grupo_gasto",
        "asignado",
        "vigente",
        "ejecutado",
        "porcentaje_ejecucion",
        "saldo_por_ejecutar",
    ]
    assert header["albergues"] == ["albergues", "ubicacion", "fecha_inicio", "fecha_fin", "personas_beneficiadas"]
    assert header["departamentos"] == ["codigo", "nombre", "iso_3166_2", "wikidata"]
    assert header["metas-fisicas"] == ["direccion", "concepto", "meta", "ejecucion", "porcentaje_ejecucion"]


def test_csv_values_are_as_printed(built: Path) -> None:
    activity = rows(built, "ejecucion-actividad")[0]
    assert activity == {
        "actividad": "Dirección y Coordinación",
        "asignado": "32595100.00",
        "vigente": "33038461.00",
        "ejecutado": "7674675.24",
        "porcentaje_ejecucion": "23.23",
    }
    quiche = next(r for r in rows(built, "servicio-social") if r["departamento_codigo"] == "14")
    assert (quiche["hombres"], quiche["mujeres"], quiche["ladino_mestizo"], quiche["maya"]) == ("0", "3", "2", "1")
    assert rows(built, "departamentos")[13] == {
        "codigo": "14",
        "nombre": "Quiché",
        "iso_3166_2": "GT-14",
        "wikidata": "Q669802",
    }


def test_quality_report_has_placed_cells_and_discrepancies(built: Path) -> None:
    quality = json.loads((built / "calidad.json").read_text(encoding="utf-8"))
    assert {"recurso", "fila", "campo", "valor", "linea"} <= set(quality["celdas_reconstruidas"][0])
    assert {"recurso", "campo", "valor_declarado", "valor_calculado", "descripcion"} <= set(quality["discrepancias"][0])
    assert len(quality["celdas_reconstruidas"]) == 19


def test_two_builds_give_identical_bytes(built: Path, tmp_path: Path) -> None:
    assert main(["build", str(BUNDLED), "--out", str(tmp_path)]) == 0
    comparison = filecmp.dircmp(built, tmp_path / NAME)
    assert not comparison.diff_files and not comparison.left_only and not comparison.right_only
    for sub in comparison.subdirs.values():
        assert not sub.diff_files


def test_committed_datapackages_equal_a_fresh_build(built: Path) -> None:
    committed = DATAPACKAGES_DIR / NAME
    fresh = sorted(p.relative_to(built) for p in built.rglob("*") if p.is_file())
    assert fresh == sorted(p.relative_to(committed) for p in committed.rglob("*") if p.is_file())
    for relative in fresh:
        assert (built / relative).read_bytes() == (committed / relative).read_bytes(), relative


def test_variant_period_gets_its_own_package_name(tmp_path: Path) -> None:
    report = write(tmp_path, "otro.txt", with_period(bundled_text(), "septiembre-diciembre", 2022))
    result = build_report(report, tmp_path / "out")
    assert result.package_dir.name == "sosep-informe-cuatrimestral-2022-3"
    descriptor = json.loads((result.package_dir / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["periodo"]["fin"] == "2022-12-31"


BAD_INPUTS = {
    "truncado": (lambda t: "\n".join(t.split("\n")[:300]), "mejoramiento-mujer", "truncado"),
    "sin-cuadro": (lambda t: t.replace("Resumen de ejecución de metas físicas", "Resumen"), "metas-fisicas", "falta"),
    "departamento": (
        lambda t: t.replace("Sololá 3 3 6 2 4 6 6", "Solola 3 3 6 2 4 6 6").replace(
            "Zacapa 11 19 30", "Zacpa 11 19 30"
        ),
        "servicio-social",
        "«Zacapa»",
    ),
    "letras": (lambda t: t.replace("Jutiapa 8 4 11 298", "Jutiapa 8 4 1l 298"), "hogares-comunitarios", "«1l»"),
    "totales": (
        lambda t: t.replace("TOTALES 223 17,457 1,436 8,256 58", "TOTALES 223 17,457 1,436 8,257 50"),
        "mejoramiento-mujer",
        "línea 368: no se puede decidir dónde están las celdas vacías",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_exits_non_zero_with_one_clear_line_and_writes_nothing(tmp_path: Path, case: str) -> None:
    mangle, table, words = BAD_INPUTS[case]
    report = write(tmp_path, f"{case}.txt", mangle(bundled_text()))
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "build", str(report), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    message = done.stderr.strip()
    assert len(message.splitlines()) == 1 and message.startswith(f"error: {case}.txt, tabla {table}, línea ")
    assert words in message
    assert not out.exists() or not any(out.iterdir())


def test_a_failed_rebuild_keeps_the_previous_package(tmp_path: Path, built: Path) -> None:
    out = tmp_path / "out"
    build_report(BUNDLED, out)
    before = (out / NAME / "datapackage.json").read_bytes()
    bad = write(tmp_path, "sosep-2021-cuatrimestre-1.txt", bundled_text().replace("Izabal 3 0 3 79", "Izabal 3 0 3"))
    assert main(["build", str(bad), "--out", str(out)]) == 1
    assert (out / NAME / "datapackage.json").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == [NAME]


def test_invalid_package_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipelines.errors import ReportError
    from pipelines.package import write as package_write

    original = package_write.department_rows
    monkeypatch.setattr(package_write, "department_rows", lambda: [r for r in original() if r["codigo"] != "14"])
    with pytest.raises(ReportError, match="no es válido"):
        build_report(BUNDLED, tmp_path / "out")
    assert not any((tmp_path / "out").iterdir())
