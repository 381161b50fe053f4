"""run_query and `rendicion query`: CSV out, graphs plus vocabulary in, clear errors."""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path

import pytest

from pipelines.errors import ReportError
from pipelines.paths import QUERIES_DIR
from pipelines.sparql import query as query_module
from pipelines.sparql import query_main, run_query

LABELS = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?codigo ?nombre WHERE {
  ?d skos:inScheme <https://w3id.org/rendicion-abierta/codigo/departamento> ;
     skos:notation ?codigo ; skos:prefLabel ?nombre .
} ORDER BY ?codigo"""


def test_results_are_sparql_csv_and_the_vocabulary_is_loaded_even_without_graphs() -> None:
    text = run_query(LABELS, []).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["codigo", "nombre"] and len(rows) == 23
    assert rows[14] == ["14", "Quiché"]
    assert text.endswith("\r\n")  # SPARQL 1.1 CSV lines end in CRLF


def test_default_graphs_are_every_package_under_datapackages(
        graphs: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(query_module, "DATAPACKAGES_DIR", graphs[0].parent.parent)
    text = run_query((QUERIES_DIR / "costo-por-beneficiario.rq").read_text(encoding="utf-8")).decode()
    assert {r["periodo"] for r in csv.DictReader(io.StringIO(text))} == {"2021-C1", "2021-C2"}


def test_a_bad_query_or_graph_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="no es válida"):
        run_query("SELEC ?x WHERE {}", [])
    with pytest.raises(ReportError, match="solo se admiten consultas SELECT"):
        run_query("ASK {}", [])
    broken = tmp_path / "grafo.ttl"
    broken.write_text("esto no es turtle", encoding="utf-8")
    with pytest.raises(ReportError, match="no se puede cargar"):
        run_query(LABELS, [broken])


def test_query_command_prints_csv_for_the_given_graphs(
        graphs: list[Path], capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    args = argparse.Namespace(query=str(QUERIES_DIR / "pueblos-por-programa.rq"), graph=[str(graphs[1])])
    assert query_main(args) == 0
    out = capsysbinary.readouterr().out.decode()
    assert out.startswith("periodo,programa,pueblo,personas\r\n")
    assert "2021-C2,Mis Años Dorados,Maya,862" in out and "2021-C1" not in out


def test_query_command_reports_a_missing_file(capsys: pytest.CaptureFixture[str], graphs: list[Path]) -> None:
    args = argparse.Namespace(query="no-existe.rq", graph=[str(graphs[0])])
    assert query_main(args) == 1
    assert "no-existe.rq" in capsys.readouterr().err
