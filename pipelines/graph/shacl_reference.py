"""The gate as it ran before the fast path: pyshacl for SHACL Core, pyoxigraph for SHACL-SPARQL.

Kept for two reasons: it validates when the shapes use a feature the fast
engine does not compile (`shapes.Unsupported`), and it is the yardstick the
comparison tests hold the fast path to. It is slow (~0.5 s a report: pyshacl
rebuilds its constraint objects for every nested shape and re-validates the
whole vocabulary each time), so pyshacl is imported only here.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from pipelines.graph.cube import Triple
from pipelines.graph.engine import Result
from pipelines.graph.shacl import (
    SHAPES,
    _oxigraph_term,
    core_line,
    oxigraph_rows,
    sparql_line,
    vocab_files,
    vocabulary,
)
from pipelines.graph.shapes import Term, compile_shapes
from pipelines.paths import VOCAB_DIR
from pipelines.turtle import parse_turtle


def core_shapes(folder: Path = VOCAB_DIR) -> Graph:
    """The shapes graph without its `sh:sparql` constraints (those run on pyoxigraph)."""
    shapes = Graph().parse(folder / SHAPES, format="turtle")
    for shape, node in list(shapes.subject_objects(SH.sparql)):
        for triple in list(shapes.triples((node, None, None))):
            shapes.remove(triple)
        shapes.remove((shape, SH.sparql, node))
    return shapes


def data_graph(triples: list[Triple], folder: Path = VOCAB_DIR) -> Graph:
    graph = Graph()
    for path in vocab_files(folder):
        graph.parse(path, format="turtle")
    for triple in triples:
        graph.add(triple)
    return graph


def pyshacl_results(triples: list[Triple], folder: Path = VOCAB_DIR, sparql: bool = False) -> list[Result]:
    """pyshacl's violations, as `Result`s (the message is pyshacl's).

    `sparql=True` lets pyshacl run the `sh:sparql` constraints too (on rdflib's
    SPARQL engine: seconds per report), for the comparison tests.
    """
    from pyshacl import validate

    shapes = Graph().parse(folder / SHAPES, format="turtle") if sparql else core_shapes(folder)
    _, report, _ = validate(
        data_graph(triples, folder), shacl_graph=shapes, inference="none", allow_warnings=True, advanced=sparql
    )
    found = []
    for result in report.subjects(SH.resultSeverity, SH.Violation):
        path = report.value(result, SH.resultPath)
        found.append(
            Result(
                focus=report.value(result, SH.focusNode),  # type: ignore[arg-type]
                path=path if isinstance(path, URIRef) else None,
                value=report.value(result, SH.value),  # type: ignore[arg-type]
                component=report.value(result, SH.sourceConstraintComponent),  # type: ignore[arg-type]
                shape=report.value(result, SH.sourceShape),  # type: ignore[arg-type]
                message=str(report.value(result, SH.resultMessage)),
            )
        )
    return found


def oxigraph_sparql_lines(triples: list[Triple], folder: Path = VOCAB_DIR) -> list[str]:
    """Every SPARQL constraint run on pyoxigraph, per focus node, as before the native evaluators."""
    _, constraints = compile_shapes(parse_turtle((folder / SHAPES).read_bytes()))
    data = data_graph(triples, folder)
    store = ox.Store()
    store.extend(ox.Quad(*map(_oxigraph_term, t)) for t in data)  # type: ignore[misc]
    lines = []
    for constraint in constraints:
        focus_nodes: set[Term] = {s for cls in constraint.targets for s in data.subjects(RDF.type, cls)}  # type: ignore
        for focus in sorted(focus_nodes, key=str):
            lines += [sparql_line(constraint, focus, row) for row in oxigraph_rows(store, constraint, focus)]
    return lines


def reference_violations(triples: list[Triple], folder: Path = VOCAB_DIR) -> list[str]:
    """The gate's lines computed the slow way (pyshacl + pyoxigraph), sorted."""
    vocabulary(folder)  # refuses sh:sparql shapes with other targets, as the fast path does
    core = [core_line(r) for r in pyshacl_results(triples, folder)]
    return sorted(core + oxigraph_sparql_lines(triples, folder))
