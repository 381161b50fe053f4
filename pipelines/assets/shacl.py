"""SHACL conformance of a graph file, as the graph stage defines it.

The graph stage already refuses a non-conforming graph when it writes the
package; this re-check reads the file on disk, so an operator sees conformance
as a check (and a graph edited after the build is caught before publication).
"""

from __future__ import annotations

from pathlib import Path

from pipelines.paths import VOCAB_DIR


def shapes_files() -> list[Path]:
    """The vocabulary files that declare SHACL shapes."""
    return sorted(p for p in VOCAB_DIR.glob("*.ttl") if "sh:NodeShape" in p.read_text(encoding="utf-8"))


def validate_file(graph: Path) -> tuple[bool, str, int]:
    """(conforms, report text, number of violations) for one Turtle file."""
    import pyshacl
    from rdflib import RDF, SH, Graph

    data = Graph().parse(graph, format="turtle")
    shapes = Graph()
    for path in shapes_files():
        shapes.parse(path, format="turtle")
    if len(shapes) == 0:
        return False, f"No hay formas SHACL en {VOCAB_DIR}", 1
    conforms, results, text = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True)
    violations = len(set(results.subjects(RDF.type, SH.ValidationResult)))
    return bool(conforms), str(text), violations
