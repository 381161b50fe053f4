"""write_graph: two files, their resource entries, the same bytes every time, any base IRI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from pipelines.graph import write_graph
from pipelines.graph.namespaces import RA, SDMX_DIMENSION
from pipelines.graph.serialize import jsonld, to_oxigraph
from pipelines.graph.write import as_graph
from pipelines.paths import ROOT
from pipelines.report.text import load_report
from pipelines.tables.model import ParsedReport
from pipelines.tables.parse import parse_report
from tests.variants import bundled_text, with_period, write


def test_writes_turtle_and_jsonld_of_the_same_graph(written: tuple[Path, list[dict]]) -> None:
    folder, resources = written
    assert [r["name"] for r in resources] == ["grafo", "grafo-jsonld"]
    assert [r["path"] for r in resources] == ["grafo.ttl", "grafo.jsonld"]
    assert resources[0]["mediatype"] == "text/turtle" and resources[1]["mediatype"] == "application/ld+json"
    turtle = Graph().parse(folder / "grafo.ttl")
    jsonld = Graph().parse(folder / "grafo.jsonld", format="json-ld")
    assert len(turtle) > 5000 and isomorphic(turtle, jsonld)


def test_jsonld_is_compact_with_its_prefixes_inline_and_has_the_turtles_triples(
    written: tuple[Path, list[dict]],
) -> None:
    folder, _ = written
    document = json.loads((folder / "grafo.jsonld").read_text(encoding="utf-8"))
    assert list(document) == ["@context", "@graph"]
    context = document["@context"]
    for name in (
        "ra",
        "qb",
        "dct",
        "dcat",
        "prov",
        "org",
        "skos",
        "sdmx-dimension",
        "sdmx-attribute",
        "obeu-dimension",
        "obeu-measure",
        "obeu-attribute",
        "xsd",
        "datos",
    ):
        assert name in context, name
    assert context["datos"] == "https://w3id.org/rendicion-abierta/"
    observation = next(n for n in document["@graph"] if n["@id"].endswith("hogares-comunitarios/16/cadi"))
    assert observation["@type"] == "qb:Observation"
    assert observation["sdmx-dimension:refArea"] == {"@id": "departamento:16"}
    # the same triples, read by two independent JSON-LD parsers
    turtle = set(ox.parse(path=folder / "grafo.ttl", format=ox.RdfFormat.TURTLE))
    assert set(ox.parse(path=folder / "grafo.jsonld", format=ox.RdfFormat.JSON_LD)) == turtle
    assert set(Graph().parse(folder / "grafo.jsonld", format="json-ld")) == set(Graph().parse(folder / "grafo.ttl"))


def test_jsonld_keeps_every_literal_exactly() -> None:
    """Native JSON numbers and booleans only where they read back as the same literal."""
    s, base = URIRef("https://datos.example.org/r/a"), "https://datos.example.org/r/"
    odd = URIRef("urn:x-otro:cosa")
    triples = [
        (s, RA.lineaInforme, Literal("12", datatype=XSD.integer)),
        (s, RA.lineaInforme, Literal("007", datatype=XSD.integer)),
        (s, RA.posicion, Literal("-0", datatype=XSD.integer)),
        (s, RA.celdaReconstruida, Literal("true", datatype=XSD.boolean)),
        (s, RA.celdaReconstruida, Literal("1", datatype=XSD.boolean)),
        (s, RA.fuente, Literal("1250.50", datatype=XSD.decimal)),
        (s, RA.fuente, Literal("texto")),
        (s, RA.fuente, Literal("texto", lang="es")),
        (s, RA.fechaFuente, Literal("2021-04-30", datatype=XSD.date)),
        (s, SDMX_DIMENSION.refArea, odd),
        (odd, RA.fuente, URIRef(base + "b")),
    ]
    ordered = to_oxigraph(triples)
    text = jsonld(ordered, base)
    assert {q.triple for q in ox.parse(text, format=ox.RdfFormat.JSON_LD)} == set(ordered)
    document = json.loads(text)
    assert document["@context"]["datos"] == base and b'"datos:a"' in text
    assert isomorphic(Graph().parse(data=text, format="json-ld"), as_graph(triples))
    assert set(document["@context"]) == {"datos", "ra", "sdmx-dimension", "xsd"}


def test_same_report_gives_the_same_bytes_in_another_process(written: tuple[Path, list[dict]], tmp_path: Path) -> None:
    folder, _ = written
    script = (
        "import sys; from pathlib import Path; from pipelines.graph import write_graph; "
        "from pipelines.report.text import load_report; from pipelines.tables.parse import parse_report; "
        "write_graph(parse_report(load_report(sys.argv[1])), Path(sys.argv[2]))"
    )
    report = ROOT / "reports" / "sosep-2021-cuatrimestre-1.txt"
    env = {"PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-c", script, str(report), str(tmp_path)], check=True, cwd=ROOT, env=env)
    for name in ("grafo.ttl", "grafo.jsonld"):
        assert (tmp_path / name).read_bytes() == (folder / name).read_bytes(), name


def test_base_iri_is_configurable_at_the_edge(tmp_path: Path) -> None:
    env = {**os.environ, "RENDICION_BASE_IRI": "https://datos.example.org/rendicion/"}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pipelines.cli",
            "build",
            str(ROOT / "reports" / "sosep-2021-cuatrimestre-1.txt"),
            "--out",
            str(tmp_path),
        ],
        check=True,
        cwd=ROOT,
        env=env,
        capture_output=True,
    )
    text = (tmp_path / "sosep-informe-cuatrimestral-2021-1" / "grafo.ttl").read_text(encoding="utf-8")
    assert (
        "<https://datos.example.org/rendicion/paquete/sosep-informe-cuatrimestral-2021-1/hogares-comunitarios>" in text
    )
    assert "w3id.org/rendicion-abierta/paquete/" not in text
    # the vocabulary's code lists do not move
    assert "@prefix departamento: <https://w3id.org/rendicion-abierta/codigo/departamento/>" in text


def test_shacl_messages_name_the_package_iris_under_the_base_passed(bundled: ParsedReport) -> None:
    from pipelines.graph.shacl import violations
    from pipelines.graph.write import build_triples

    base = "https://datos.example.org/rendicion/"
    triples = [t for t in build_triples(bundled, base) if t[1] != RA.lineaInforme]
    found = violations(triples, base=base)
    assert found and all("datos:paquete/" in line or "datos:" not in line for line in found)
    assert any(line.startswith("datos:paquete/sosep-informe-cuatrimestral-2021-1/") for line in found)


def test_another_period_gets_its_own_iris(tmp_path: Path) -> None:
    path = write(tmp_path, "sosep-2021-cuatrimestre-2.txt", with_period(bundled_text(), "mayo-agosto", 2021))
    parsed = parse_report(load_report(path))
    write_graph(parsed, tmp_path / "out")
    text = (tmp_path / "out" / "grafo.ttl").read_text(encoding="utf-8")
    assert "periodo:2021-C2" in text and "paquete/sosep-informe-cuatrimestral-2021-2/" in text
    assert "periodo:2021-C1" not in text and "2021-1/" not in text  # (the code list's definition says «p. ej. 2021-C1»)
