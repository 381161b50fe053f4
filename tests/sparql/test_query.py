"""run_query and `rendicion query`: every query form and format, the query from a file, -e or stdin,
the on-disk store when there is one, and clear one-line errors."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from pipelines.cli import main as rendicion
from pipelines.errors import ReportError
from pipelines.paths import QUERIES_DIR, ROOT
from pipelines.sparql import load_store, query_main, run_query
from pipelines.sparql import query as query_module

LABELS = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?codigo ?nombre WHERE {
  ?d skos:inScheme <https://w3id.org/rendicion-abierta/codigo/departamento> ;
     skos:notation ?codigo ; skos:prefLabel ?nombre .
} ORDER BY ?codigo"""
PERIODS = "SELECT DISTINCT ?p WHERE { ?o <http://purl.org/linked-data/sdmx/2009/dimension#refPeriod> ?p } ORDER BY ?p"
DEPARTMENT = "https://w3id.org/rendicion-abierta/codigo/departamento/16"
CONSTRUCT = f"CONSTRUCT WHERE {{ <{DEPARTMENT}> ?p ?o }}"
DESCRIBE = f"DESCRIBE <{DEPARTMENT}>"
ASK = f"ASK {{ <{DEPARTMENT}> ?p ?o }}"


def test_results_are_sparql_csv_and_the_vocabulary_is_loaded_even_without_graphs() -> None:
    text = run_query(LABELS, []).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["codigo", "nombre"] and len(rows) == 23
    assert rows[14] == ["14", "Quiché"]
    assert text.endswith("\r\n")  # SPARQL 1.1 CSV lines end in CRLF


def test_default_graphs_are_every_package_under_datapackages(
    graphs: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(query_module, "DATAPACKAGES_DIR", graphs[0].parent.parent)
    text = run_query((QUERIES_DIR / "costo-por-beneficiario.rq").read_text(encoding="utf-8")).decode()
    assert {r["periodo"] for r in csv.DictReader(io.StringIO(text))} == {"2021-C1", "2021-C2"}


def test_every_form_in_its_formats() -> None:
    assert run_query(LABELS, [], "tsv").decode().splitlines()[14] == '"14"\t"Quiché"@es'
    bindings = json.loads(run_query(LABELS, [], "json"))["results"]["bindings"]
    assert bindings[13]["nombre"] == {"type": "literal", "value": "Quiché", "xml:lang": "es"}
    assert json.loads(run_query(ASK, [], "json")) == {"head": {}, "boolean": True}
    assert run_query(ASK, []) == b"true"
    for query in (CONSTRUCT, DESCRIBE):
        turtle = run_query(query, [])  # Turtle by default
        assert b"Alta Verapaz" in turtle and b"@prefix skos:" in turtle
        triples = list(ox.parse(turtle, format=ox.RdfFormat.TURTLE))
        document = json.loads(run_query(query, [], "jsonld"))
        assert document[0]["@id"] == DEPARTMENT
        assert len(list(ox.parse(json.dumps(document), format=ox.RdfFormat.JSON_LD))) == len(triples) >= 7


def test_a_bad_query_format_or_graph_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="no es válida"):
        run_query("SELEC ?x WHERE {}", [])
    with pytest.raises(ReportError, match="una consulta SELECT da resultados SPARQL: use csv, tsv, json, xml, no ttl"):
        run_query(LABELS, [], "ttl")
    with pytest.raises(ReportError, match="CONSTRUCT o DESCRIBE da un grafo: use ttl, jsonld, nt, rdfxml, no csv"):
        run_query(CONSTRUCT, [], "csv")
    broken = tmp_path / "grafo.ttl"
    broken.write_text("esto no es turtle", encoding="utf-8")
    with pytest.raises(ReportError, match="no se puede cargar"):
        run_query(LABELS, [broken])


def test_query_command_prints_csv_for_the_given_graphs(
    graphs: list[Path], capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    args = argparse.Namespace(query=str(QUERIES_DIR / "pueblos-por-programa.rq"), graph=[str(graphs[1])])
    assert query_main(args) == 0
    out = capsysbinary.readouterr().out.decode()
    assert out.startswith("periodo,programa,pueblo,personas\r\n")
    assert "2021-C2,Mis Años Dorados,Maya,862" in out and "2021-C1" not in out


def test_query_command_reports_a_missing_file(capsys: pytest.CaptureFixture[str], graphs: list[Path]) -> None:
    args = argparse.Namespace(query="no-existe.rq", graph=[str(graphs[0])])
    assert query_main(args) == 1
    assert "no-existe.rq" in capsys.readouterr().err


@pytest.mark.parametrize(
    "fmt, query, check",
    [
        ("csv", PERIODS, lambda out: out.split(b"\r\n")[1].endswith(b"2021-C1")),
        (
            "tsv",
            PERIODS,
            lambda out: out.split(b"\n")[1] == b"<https://w3id.org/rendicion-abierta/codigo/periodo/2021-C1>",
        ),
        ("json", PERIODS, lambda out: len(json.loads(out)["results"]["bindings"]) == 2),
        ("json", ASK, lambda out: json.loads(out)["boolean"] is True),
        ("ttl", CONSTRUCT, lambda out: b'"Alta Verapaz"@es' in out),
        ("jsonld", DESCRIBE, lambda out: json.loads(out)[0]["@id"] == DEPARTMENT),
    ],
)
def test_query_command_takes_e_text_in_every_format(
    fmt: str, query: str, check, graphs: list[Path], capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    argv = ["query", "-e", query, "--format", fmt] + [a for g in graphs for a in ("--graph", str(g))]
    assert rendicion(argv) == 0
    assert check(capsysbinary.readouterr().out)


def test_query_command_mismatched_format_is_one_line(
    graphs: list[Path], capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    assert rendicion(["query", "-e", PERIODS, "--format", "ttl", "--graph", str(graphs[0])]) == 1
    captured = capsysbinary.readouterr()
    assert captured.out == b""
    assert captured.err.decode().count("\n") == 1 and captured.err.startswith(b"error: una consulta SELECT")


def test_query_command_reads_stdin_for_dash(graphs: list[Path], tmp_path: Path) -> None:
    """A real process, so the query really comes through a pipe."""
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "query", "-", "--format", "json", "--graph", str(graphs[1])],
        input=PERIODS.encode(),
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        env={**os.environ, "RENDICION_ALMACEN": str(tmp_path / "nada")},
    )
    assert done.returncode == 0, done.stderr
    values = [b["p"]["value"] for b in json.loads(done.stdout)["results"]["bindings"]]
    assert values == ["https://w3id.org/rendicion-abierta/codigo/periodo/2021-C2"]


@pytest.mark.parametrize(
    ("given", "words"),
    [(b"\xff\xfeSELECT", "no es texto UTF-8"), (b"  \n", "la consulta está vacía")],
)
def test_an_empty_or_undecodable_query_on_stdin_is_one_line(
    graphs: list[Path], tmp_path: Path, given: bytes, words: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "query", "-", "--graph", str(graphs[1])],
        input=given,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        env={**os.environ, "RENDICION_ALMACEN": str(tmp_path / "nada")},
    )
    assert done.returncode == 1 and done.stdout == b""
    assert done.stderr.decode().strip().splitlines() == [done.stderr.decode().strip()]  # one line
    assert words in done.stderr.decode() and "Traceback" not in done.stderr.decode()


def test_without_graph_the_command_reads_the_on_disk_store(
    graphs: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    location = tmp_path / "store"
    load_store(graphs[:1], location)  # only the first period: a reload of datapackages/ would give both
    monkeypatch.setenv("RENDICION_ALMACEN", str(location))
    monkeypatch.setattr(query_module, "DATAPACKAGES_DIR", tmp_path / "vacio")
    assert rendicion(["query", "-e", PERIODS]) == 0
    assert capsysbinary.readouterr().out.split(b"\r\n")[1:] == [
        b"https://w3id.org/rendicion-abierta/codigo/periodo/2021-C1",
        b"",
    ]


def test_a_store_of_named_graphs_only_is_read_as_their_union(
    graphs: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    location = tmp_path / "store"
    store = ox.Store(str(location))
    for index, path in enumerate([*graphs, *query_module.vocabulary()]):
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(f"urn:g:{index}"))
    store.flush()
    del store
    monkeypatch.setenv("RENDICION_ALMACEN", str(location))
    assert rendicion(["query", "-e", PERIODS]) == 0
    rows = capsysbinary.readouterr().out.split(b"\r\n")
    assert [r.rsplit(b"/", 1)[-1] for r in rows[1:3]] == [b"2021-C1", b"2021-C2"]
    assert rendicion(["query", "-e", LABELS]) == 0  # vocabulary labels come from the union too, once each
    assert len(capsysbinary.readouterr().out.split(b"\r\n")) == 24
