"""The SPARQL store: each package's graph is its own named graph, loaded by that partition's run.

Materialising one partition replaces only that package's named graph (and
refreshes the vocabulary's); every other period stays as it was loaded, so a
run costs the same with 2 or 200 periods in the store. The default graph is
kept as the merge of them all, so queries across periods (the cookbook,
`rendicion serve`) see every package. Layout and reasons: pipelines/sparql/store.py.
"""

from pathlib import Path

from dagster import AssetExecutionContext, MetadataValue, asset

from pipelines.assets.graph import graph_files
from pipelines.assets.metadata import failure
from pipelines.assets.partitions import PARTITIONS
from pipelines.assets.report import GROUP
from pipelines.assets.resources import Folders, SparqlStore
from pipelines.errors import ReportError
from pipelines.sparql.store import load_package

POOL = "oxigraph"
"""One writer at a time (RocksDB lock): dagster.yaml limits every pool to one step at a time."""


def published_graphs(output_dir: Path) -> list[Path]:
    """The Turtle graph of every package folder in the output folder, in name order."""
    graphs = []
    for package in sorted(p for p in output_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if (package / "datapackage.json").exists():
            graphs += [f for f in graph_files(package) if f.suffix == ".ttl"]
    return graphs


@asset(
    partitions_def=PARTITIONS,
    group_name=GROUP,
    kinds={"oxigraph"},
    pool=POOL,
    description="Almacén SPARQL (Oxigraph): el grafo de este paquete como grafo con nombre (su IRI), junto a los "
    "de los demás períodos y el vocabulario; se sirve con `rendicion serve`.",
)
def sparql_store(context: AssetExecutionContext, graph: Path, folders: Folders, sparql: SparqlStore) -> None:
    """Replace this package's named graph; the store is rebuilt only if it does not have this layout yet."""
    try:
        loaded = load_package(graph, sparql.path, every_package=lambda: published_graphs(folders.output))
    except ReportError as error:
        raise failure(error) from None
    if loaded.rebuilt:
        context.log.info(
            f"El almacén {sparql.path} no tenía un grafo con nombre por paquete: se reconstruyó con "
            f"{loaded.packages} paquetes."
        )
    metadata = {
        "grafo con nombre": MetadataValue.url(loaded.graph),
        "tripletas": loaded.triples,
        "paquetes en el almacén": loaded.packages,
        "carga (s)": round(loaded.seconds, 3),
        "compactado en esta carga": loaded.compacted or loaded.rebuilt,
        "almacén": MetadataValue.path(str(sparql.path)),
        "endpoint SPARQL": MetadataValue.url(sparql.endpoint),
        "cómo servirlo": MetadataValue.md("`.venv/bin/rendicion serve` (escucha en 127.0.0.1:7878)"),
    }
    if loaded.total is not None:
        metadata["tripletas en el almacén"] = loaded.total
    context.add_output_metadata(metadata)
