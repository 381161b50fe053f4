"""The data package: the same `write_package` the CLI's `rendicion build` calls."""

import json
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, MetadataValue, TableColumn, TableSchema, asset

from pipelines.assets.metadata import TYPES, failure, markdown_table
from pipelines.assets.partitions import PERIODS
from pipelines.assets.report import GROUP
from pipelines.assets.resources import Folders
from pipelines.build import write_package
from pipelines.errors import ReportError
from pipelines.tables.model import ParsedReport


@asset(partitions_def=PERIODS, group_name=GROUP, kinds={"csv", "json"},
       description="Paquete de datos (Data Package v2): CSV tipados, diccionario de datos, calidad.json y el "
                   "grafo RDF; validado con Frictionless antes de reemplazar el anterior.")
def datapackage(context: AssetExecutionContext, parsed_tables: ParsedReport, folders: Folders) -> Path:
    """Write and validate the package; an invalid one never replaces the published folder."""
    try:
        folder = write_package(parsed_tables, folders.output)
    except ReportError as error:
        raise failure(error) from None
    context.add_output_metadata(package_metadata(folder))
    return folder


def read_descriptor(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))


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
            meta[f"columnas: {resource['name']}"] = MetadataValue.table_schema(TableSchema(columns=[
                TableColumn(name=f["name"], type=TYPES.get(f.get("type", ""), f.get("type", "")),
                            description=f.get("description") or f.get("title"))
                for f in fields]))
    meta["recursos"] = MetadataValue.md(markdown_table(["recurso", "archivo", "filas"], rows))
    meta["dagster/row_count"] = sum(r[2] for r in rows if isinstance(r[2], int))
    return meta
