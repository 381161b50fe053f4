"""The package gate's fast path gives Frictionless' verdict, on good packages and on a catalogue of broken ones."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from frictionless import validate

from pipelines.errors import InvalidPackage
from pipelines.package.gate import judge
from pipelines.package.validate import UTF8, validate_package
from pipelines.paths import DATAPACKAGES_DIR, ROOT, SPECS_DIR

BUNDLED = DATAPACKAGES_DIR / "sosep-informe-cuatrimestral-2021-1"
SERIES = Path(__file__).parent.parent / "series"
TABLE = "data/hogares-comunitarios.csv"
Mutation = Callable[[Path], None]


def frictionless_valid(folder: Path) -> bool:
    return validate(str(folder / "datapackage.json"), detector=UTF8).valid


def edit_text(relative: str, change: Callable[[str], str]) -> Mutation:
    def mutate(folder: Path) -> None:
        path = folder / relative
        path.write_bytes(change(path.read_bytes().decode("utf-8")).encode("utf-8"))

    return mutate


def edit_lines(change: Callable[[list[str]], list[str]], relative: str = TABLE) -> Mutation:
    return edit_text(relative, lambda text: "\n".join(change(text.split("\n"))))


def edit_cell(line: int, column: int, value: str, relative: str = TABLE) -> Mutation:
    def change(lines: list[str]) -> list[str]:
        cells = lines[line].split(",")
        cells[column] = value
        lines[line] = ",".join(cells)
        return lines

    return edit_lines(change, relative)


def edit_descriptor(change: Callable[[dict], None]) -> Mutation:
    def mutate(folder: Path) -> None:
        path = folder / "datapackage.json"
        descriptor = json.loads(path.read_text(encoding="utf-8"))
        change(descriptor)
        path.write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")

    return mutate


def resource(descriptor: dict, name: str) -> dict:
    return next(r for r in descriptor["resources"] if r["name"] == name)


def field(descriptor: dict, table: str, name: str) -> dict:
    return next(f for f in resource(descriptor, table)["schema"]["fields"] if f["name"] == name)


def remove(relative: str) -> Mutation:
    return lambda folder: (folder / relative).unlink()


def write_bytes(relative: str, data: bytes) -> Mutation:
    return lambda folder: (folder / relative).write_bytes(data)


MUTATIONS: dict[str, Mutation] = {
    "letras en un entero": edit_cell(1, 2, "doce"),
    "entero negativo (minimum 0)": edit_cell(1, 3, "-5"),
    "decimal en un entero": edit_cell(1, 3, "5.5"),
    "celda obligatoria vacía": edit_cell(2, 1, ""),
    "código que no sigue el patrón": edit_cell(2, 0, "1"),
    "código que no está en departamentos": edit_cell(2, 0, "99"),
    "clave primaria repetida": edit_lines(lambda lines: lines[:2] + lines[1:]),
    "encabezado renombrado": edit_lines(lambda lines: [lines[0].replace("cadi", "centros"), *lines[1:]]),
    "encabezado en otro orden": edit_lines(lambda lines: [",".join(reversed(lines[0].split(","))), *lines[1:]]),
    "celda de más": edit_lines(lambda lines: [lines[0], lines[1] + ",7", *lines[2:]]),
    "celda de menos": edit_lines(lambda lines: [lines[0], lines[1].rsplit(",", 1)[0], *lines[2:]]),
    "fila en blanco": edit_lines(lambda lines: [lines[0], lines[1], "", *lines[2:]]),
    "fila de comas": edit_lines(lambda lines: [lines[0], lines[1], ",,,,,", *lines[2:]]),
    "solo el encabezado": edit_lines(lambda lines: [lines[0], ""]),
    "archivo vacío": write_bytes(TABLE, b""),
    "bytes que no son UTF-8": write_bytes(TABLE, "departamento_codigo\n\xe9".encode("latin-1")),
    "saltos de línea CRLF": edit_text(TABLE, lambda text: text.replace("\n", "\r\n")),
    "celda entre comillas": edit_cell(1, 2, '"12"'),
    "espacio ante un entero": edit_cell(1, 2, " 12"),
    "importe con dos puntos": edit_cell(1, 1, "1.2.3", "data/ejecucion-actividad.csv"),
    "porcentaje con letras": edit_cell(1, 4, "x%", "data/ejecucion-actividad.csv"),
    "fecha imposible": edit_cell(1, 2, "2021-13-01", "data/albergues.csv"),
    "fecha en otro formato": edit_cell(1, 2, "09/11/2020", "data/albergues.csv"),
    "departamento repetido en la lista": edit_lines(lambda lines: lines[:2] + lines[1:], "data/departamentos.csv"),
    "falta un CSV": remove(TABLE),
    "falta grafo.ttl": remove("grafo.ttl"),
    "calidad.json roto (Frictionless no lo lee)": write_bytes("calidad.json", b"{"),
    "nombre de paquete inválido": edit_descriptor(lambda d: d.update(name="Nombre Malo")),
    "tipo de campo desconocido": edit_descriptor(
        lambda d: field(d, "hogares-comunitarios", "cadi").update(type="entero")
    ),
    "clave primaria de un campo inexistente": edit_descriptor(
        lambda d: resource(d, "hogares-comunitarios")["schema"].update(primaryKey=["no_existe"])
    ),
    "clave foránea hacia un recurso inexistente": edit_descriptor(
        lambda d: resource(d, "hogares-comunitarios")["schema"]["foreignKeys"][0]["reference"].update(
            resource="no-existe"
        )
    ),
    "restricción más estricta que los datos": edit_descriptor(
        lambda d: field(d, "hogares-comunitarios", "cadi")["constraints"].update(maximum=1)
    ),
    "campo único con valores repetidos": edit_descriptor(
        lambda d: field(d, "hogares-comunitarios", "cadi")["constraints"].update(unique=True)
    ),
    "enumeración que no incluye un valor": edit_descriptor(
        lambda d: field(d, "hogares-comunitarios", "departamento")["constraints"].update(enum=["Guatemala"])
    ),
    "recurso sin ruta": edit_descriptor(lambda d: resource(d, "calidad").pop("path")),
}


@pytest.fixture(scope="module")
def second_series(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test series' package (its own tables and keys), built as a user would."""
    root = tmp_path_factory.mktemp("gate")
    specs = root / "series"
    shutil.copytree(SPECS_DIR / "sosep", specs / "sosep")
    shutil.copytree(SERIES / "sbs", specs / "sbs")
    out = root / "paquetes"
    report = SERIES / "sbs-2021-cuatrimestre-1.txt"
    command = [sys.executable, "-m", "pipelines.cli", "build", str(report), "--out", str(out), "--series", str(specs)]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    (package,) = out.iterdir()
    return package


def test_good_packages_are_judged_by_the_fast_path(second_series: Path) -> None:
    for folder in (BUNDLED, second_series):
        assert frictionless_valid(folder)
        assert judge(folder) is True


@pytest.mark.parametrize("kind", sorted(MUTATIONS))
def test_same_verdict_as_frictionless(kind: str, tmp_path: Path) -> None:
    folder = tmp_path / BUNDLED.name
    shutil.copytree(BUNDLED, folder)
    MUTATIONS[kind](folder)
    verdict = judge(folder)
    expected = frictionless_valid(folder)
    assert verdict is None or verdict == expected, f"{kind}: rápido {verdict}, Frictionless {expected}"


def test_most_broken_packages_are_caught_without_frictionless(tmp_path: Path) -> None:
    """The catalogue is not passed only because the fast path hands everything over."""
    judged = 0
    for index, mutate in enumerate(MUTATIONS.values()):
        folder = tmp_path / str(index)
        shutil.copytree(BUNDLED, folder)
        mutate(folder)
        judged += judge(folder) is not None
    assert judged >= len(MUTATIONS) - 3


def test_unknown_features_go_to_frictionless(tmp_path: Path) -> None:
    folder = tmp_path / BUNDLED.name
    shutil.copytree(BUNDLED, folder)
    edit_descriptor(lambda d: resource(d, "hogares-comunitarios").update(dialect={"delimiter": ";"}))(folder)
    assert judge(folder) is None
    with pytest.raises(InvalidPackage):  # the CSV is comma-separated: Frictionless finds one column
        validate_package(folder, "informe.txt")


def test_a_refusal_still_reads_as_frictionless_words_it(tmp_path: Path) -> None:
    folder = tmp_path / BUNDLED.name
    shutil.copytree(BUNDLED, folder)
    edit_cell(2, 0, "99")(folder)
    with pytest.raises(InvalidPackage) as info:
        validate_package(folder, "informe.txt")
    assert "hogares-comunitarios fila 3" in str(info.value)
    assert "not found in the lookup table" in str(info.value)
