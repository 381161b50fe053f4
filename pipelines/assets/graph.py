"""The RDF graph, taken from the data package that already carries it.

`write_package` calls the graph stage, so the graph is written, SHACL-validated
and listed in datapackage.json together with the tables: one atomic swap, never
a package whose graph describes other figures. This asset only locates the
graph inside the package and reports on it; SHACL conformance is re-checked by
the `shacl_conformance` check so operators can see (and re-run) it on its own.
"""

from pathlib import Path
from typing import Any

import pyoxigraph
from dagster import AssetExecutionContext, Failure, MetadataValue, asset

from pipelines.assets.partitions import PERIODS
from pipelines.assets.report import GROUP
from pipelines.assets.package import read_descriptor

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


@asset(partitions_def=PERIODS, group_name=GROUP, kinds={"rdf"},
       description="Grafo RDF del período (RDF Data Cube, grafo.ttl) tal como lo incluye el paquete de datos.")
def graph(context: AssetExecutionContext, datapackage: Path) -> Path:
    """The package's Turtle graph; a package without one cannot feed the store or the portal."""
    files = graph_files(datapackage)
    turtle = next((f for f in files if f.suffix == ".ttl"), None)
    if turtle is None:
        raise Failure(description=f"El paquete {datapackage.name} no incluye el grafo (recurso «{GRAPH_RESOURCE}», "
                                  "grafo.ttl): reconstrúyalo con la etapa del grafo.", allow_retries=False)
    metadata: dict[str, Any] = {
        "tripletas": count_triples(turtle),
        "archivo": MetadataValue.path(str(turtle)),
        "formatos": ", ".join(f.name for f in files),
    }
    context.add_output_metadata(metadata)
    return turtle
