"""The RDF graph asset's output: the package's own `grafo.ttl`, as the graph stage wrote it.

`write_package` calls the graph stage, so the graph is built, SHACL-gated and
listed in datapackage.json together with the tables: one atomic swap, never a
package whose graph describes other figures. The `package_and_graph` step
(package.py) therefore materialises both assets, each with its own check
computed from that one pass: the SHACL verdict belongs to `graph`, the
Frictionless verdict to `datapackage`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph
from dagster import Failure, MetadataValue

from pipelines.assets.metadata import read_descriptor
from pipelines.sparql.store import package_graph_iri

GRAPH_RESOURCE = "grafo"


def graph_files(package_dir: Path) -> list[Path]:
    """The graph's files as datapackage.json lists them (Turtle first), existing on disk."""
    files = []
    for resource in read_descriptor(package_dir).get("resources", []):
        if resource["name"].startswith(GRAPH_RESOURCE) and isinstance(resource.get("path"), str):
            path = package_dir / resource["path"]
            if path.exists():
                files.append(path)
    return sorted(files, key=lambda p: (p.suffix != ".ttl", p.name))


def count_triples(path: Path) -> int:
    """Triples in one Turtle file, read with Oxigraph (fast on large graphs)."""
    return sum(1 for _ in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE))


def package_graph(package_dir: Path) -> tuple[Path, dict[str, Any]]:
    """The package's Turtle graph and what the UI shows about it; a package without one is a Failure."""
    files = graph_files(package_dir)
    turtle = next((f for f in files if f.suffix == ".ttl"), None)
    if turtle is None:
        raise Failure(
            description=f"El paquete {package_dir.name} no incluye el grafo (recurso «{GRAPH_RESOURCE}», "
            "grafo.ttl): reconstrúyalo.",
            allow_retries=False,
        )
    return turtle, {
        "tripletas": count_triples(turtle),
        "archivo": MetadataValue.path(str(turtle)),
        "formatos": ", ".join(f.name for f in files),
        "grafo con nombre en el almacén": package_graph_iri(turtle),
    }
