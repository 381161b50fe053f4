"""A table added as a TOML description alone gets its dataset, structure and observations."""

from __future__ import annotations

import shutil
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import QB

from pipelines.graph import write_graph
from pipelines.graph.namespaces import RA, SeriesTerms, department
from pipelines.paths import SPECS_DIR
from pipelines.report.text import load_report
from pipelines.specs import load_series
from pipelines.tables.parse import parse_report
from tests.specs.test_specs import NEW_TABLE, NEW_TEXT
from tests.variants import bundled_text, write

SOSEP = SeriesTerms("sosep")
MEDIDA, program = SOSEP.medida, SOSEP.program


def test_a_new_table_with_a_new_unit_gets_a_conforming_graph(tmp_path: Path) -> None:
    root = tmp_path / "specs"
    shutil.copytree(SPECS_DIR / "sosep", root / "sosep")
    (root / "sosep" / "tablas" / "09-becas.toml").write_text(NEW_TABLE, encoding="utf-8")
    parsed = parse_report(
        load_report(write(tmp_path, "con-becas.txt", bundled_text() + NEW_TEXT)), load_series("sosep", root)
    )
    write_graph(parsed, tmp_path / "out")  # raises if the SHACL gate refuses it
    graph = Graph().parse(tmp_path / "out" / "grafo.ttl")
    dataset = URIRef(f"https://w3id.org/rendicion-abierta/paquete/{parsed.package_name}/becas")
    assert (
        dataset,
        QB.structure,
        URIRef(f"https://w3id.org/rendicion-abierta/def/estructura/{parsed.series.key}/becas"),
    ) in graph
    quiche = next(
        o
        for o in graph.subjects(QB.dataSet, dataset)
        if graph.value(o, QB.measureType) == MEDIDA.becas
        and graph.value(o, URIRef("http://purl.org/linked-data/sdmx/2009/dimension#refArea")) == department("14")
    )
    assert int(graph.value(quiche, MEDIDA.becas)) == 12
    assert graph.value(quiche, RA.programa) == program("hogares-comunitarios")
