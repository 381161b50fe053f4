"""The SPARQL store: every published period's graph loaded into one Oxigraph folder.

Partitioned like the rest so a period's run refreshes the store right after
its graph, but the store holds the graphs of every package in the output
folder: a query across periods must see all of them, not only the last one.
"""

from pathlib import Path

from dagster import AssetExecutionContext, MetadataValue, asset

from pipelines.assets.graph import graph_files
from pipelines.assets.metadata import failure
from pipelines.assets.partitions import PERIODS
from pipelines.assets.report import GROUP
from pipelines.assets.resources import Folders, SparqlStore
from pipelines.errors import ReportError
from pipelines.sparql import load_store


def published_graphs(output_dir: Path) -> list[Path]:
    """The Turtle graph of every package folder in the output folder, in name order."""
    graphs = []
    for package in sorted(p for p in output_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if (package / "datapackage.json").exists():
            graphs += [f for f in graph_files(package) if f.suffix == ".ttl"]
    return graphs


@asset(partitions_def=PERIODS, group_name=GROUP, kinds={"oxigraph"}, deps=["graph"],
       description="Almacén SPARQL (Oxigraph) con los grafos de todos los períodos publicados y los vocabularios; "
                   "se sirve con `rendicion serve`.")
def sparql_store(context: AssetExecutionContext, folders: Folders, sparql: SparqlStore) -> None:
    """Reload the store with `load_store`, the same function `rendicion` uses."""
    graphs = published_graphs(folders.output)
    try:
        triples = load_store(graphs, sparql.path)
    except ReportError as error:
        raise failure(error) from None
    context.add_output_metadata({
        "tripletas": triples,
        "grafos cargados": ", ".join(g.parent.name for g in graphs),
        "almacén": MetadataValue.path(str(sparql.path)),
        "endpoint SPARQL": MetadataValue.url(sparql.endpoint),
        "cómo servirlo": MetadataValue.md("`.venv/bin/rendicion serve` (escucha en 127.0.0.1:7878)"),
    })
