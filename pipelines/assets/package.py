"""The data package and its graph: one `write_package` call, the same the CLI's `rendicion build` makes.

`write_package` writes the tables, the graph (SHACL-gated), the descriptor and
the data dictionary into a scratch folder, validates the whole package and
only then swaps it in. One step therefore materialises both assets; each
carries its own check, the verdict of the gate that step applied (checks.py),
so a graph that breaks the shapes fails `graph`'s check, and an invalid
package `datapackage`'s, without validating anything twice.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetOut,
    MetadataValue,
    Output,
    TableColumn,
    TableSchema,
    multi_asset,
)

from pipelines.assets.checks import PACKAGE_VALID, SHACL_CONFORMANCE, package_passed, refused_check, shacl_passed
from pipelines.assets.graph import package_graph
from pipelines.assets.metadata import TYPES, failure, markdown_table, read_descriptor
from pipelines.assets.partitions import PARTITIONS
from pipelines.assets.report import GROUP
from pipelines.assets.resources import Folders
from pipelines.build import write_package
from pipelines.errors import PipelineError
from pipelines.tables.model import ParsedReport

OUTS = {
    "datapackage": AssetOut(
        group_name=GROUP,
        kinds={"csv", "json"},
        dagster_type=Path,
        description="Paquete de datos (Data Package v2): CSV tipados, diccionario de datos, calidad.json y el grafo "
        "RDF; validado con Frictionless antes de reemplazar el anterior.",
    ),
    "graph": AssetOut(
        group_name=GROUP,
        kinds={"rdf"},
        dagster_type=Path,
        description="Grafo RDF del informe (RDF Data Cube, grafo.ttl) dentro del paquete de datos, conforme a las "
        "formas SHACL.",
    ),
}


@multi_asset(
    outs=OUTS,
    check_specs=[PACKAGE_VALID, SHACL_CONFORMANCE],
    partitions_def=PARTITIONS,
    internal_asset_deps={"datapackage": {AssetKey("parsed_tables")}, "graph": {AssetKey("datapackage")}},
    name="package_and_graph",
)
def package_and_graph(context: AssetExecutionContext, parsed_tables: ParsedReport, folders: Folders) -> Iterator[Any]:
    """Write and validate the package with its graph; an invalid one never replaces the published folder."""
    try:
        folder = write_package(parsed_tables, folders.output, base_iri=folders.base_iri)
    except PipelineError as error:
        verdict = refused_check(error)
        if verdict is not None:
            yield verdict
        raise failure(error) from None
    yield Output(folder, output_name="datapackage", metadata=package_metadata(folder))
    yield package_passed(folder)
    turtle, graph_metadata = package_graph(folder)
    yield Output(turtle, output_name="graph", metadata=graph_metadata)
    yield shacl_passed(graph_metadata)


def count_rows(path: Path) -> int:
    """Data lines of a CSV (header excluded); the package writer ends every line with `\n`."""
    with path.open("rb") as handle:
        return max(sum(1 for _ in handle) - 1, 0)


def package_metadata(folder: Path) -> dict[str, Any]:
    """Where the package is, what it holds and each table's columns, as the descriptor declares them."""
    descriptor = read_descriptor(folder)
    rows = []
    meta: dict[str, Any] = {"carpeta": MetadataValue.path(str(folder)), "nombre": descriptor.get("name", "")}
    for resource in descriptor.get("resources", []):
        path = folder / resource["path"] if isinstance(resource.get("path"), str) else None
        is_csv = path is not None and path.suffix == ".csv" and path.exists()
        count = count_rows(path) if is_csv else ""
        rows.append([resource["name"], resource.get("path", ""), count])
        fields = resource.get("schema", {}).get("fields", [])
        if fields:
            meta[f"columnas: {resource['name']}"] = MetadataValue.table_schema(
                TableSchema(
                    columns=[
                        TableColumn(
                            name=f["name"],
                            type=TYPES.get(f.get("type", ""), f.get("type", "")),
                            description=f.get("description") or f.get("title"),
                        )
                        for f in fields
                    ]
                )
            )
    meta["recursos"] = MetadataValue.md(markdown_table(["recurso", "archivo", "filas"], rows))
    meta["dagster/row_count"] = sum(r[2] for r in rows if isinstance(r[2], int))
    return meta
