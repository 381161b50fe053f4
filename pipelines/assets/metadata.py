"""What operators read in the UI: previews, discrepancy lists, column schemas.

Only presentation lives here; every figure comes from the stage's own output.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from dagster import Failure, MetadataValue, TableColumn, TableSchema

from pipelines.errors import PipelineError
from pipelines.package.write import cell
from pipelines.tables.model import Discrepancy, ParsedReport, Table

PREVIEW_ROWS = 10
TYPES = {"integer": "int", "number": "float", "string": "string", "date": "date"}


def _escape(value: Any) -> str:
    return cell(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_escape(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def table_preview(table: Table) -> MetadataValue:
    """The first rows as the package will publish them, with the report line each came from."""
    fields = [f.name for f in table.spec.fields]
    rows = [[r.line, *(r.values[f] for f in fields)] for r in table.rows[:PREVIEW_ROWS]]
    text = markdown_table(["línea", *fields], rows)
    if len(table.rows) > PREVIEW_ROWS:
        text += f"\n\n… y {len(table.rows) - PREVIEW_ROWS} filas más."
    return MetadataValue.md(text)


def table_schema(table: Table) -> MetadataValue:
    return MetadataValue.table_schema(
        TableSchema(
            columns=[
                TableColumn(name=f.name, type=TYPES.get(f.type, f.type), description=f"{f.title}. {f.description}")
                for f in table.spec.fields
            ]
        )
    )


def discrepancy_list(found: Sequence[Discrepancy], empty: str = "Ninguna.") -> MetadataValue:
    if not found:
        return MetadataValue.md(empty)
    return MetadataValue.md(
        markdown_table(
            ["cuadro", "campo", "declarado", "calculado", "línea", "descripción"],
            [[d.recurso, d.campo, d.valor_declarado, d.valor_calculado, d.linea or "", d.descripcion] for d in found],
        )
    )


def parsed_metadata(parsed: ParsedReport) -> dict[str, Any]:
    """Row counts, one preview and one schema per table, and the report's disagreements."""
    meta: dict[str, Any] = {
        "dagster/row_count": sum(len(t.rows) for t in parsed.tables.values()),
        "período": parsed.period.label,
        "cuadros": MetadataValue.md(
            markdown_table(
                ["cuadro", "filas", "columnas"],
                [[name, len(t.rows), len(t.spec.fields)] for name, t in parsed.tables.items()],
            )
        ),
        "celdas vacías reconstruidas": len(parsed.placed),
        "discrepancias del informe": discrepancy_list(
            parsed.discrepancies, "Ninguna: todas las cifras del informe coinciden entre sí."
        ),
    }
    for name, table in parsed.tables.items():
        meta[f"filas: {name}"] = len(table.rows)
        meta[f"vista previa: {name}"] = table_preview(table)
        meta[f"columnas: {name}"] = table_schema(table)
    return meta


def error_metadata(error: PipelineError) -> dict[str, Any]:
    """Where a stage refused the report, as the CLI would print it."""
    meta: dict[str, Any] = {"error": str(error)}
    for label, attribute in (("cuadro", "table"), ("línea", "line"), ("informe", "report")):
        if getattr(error, attribute, None):
            meta[label] = getattr(error, attribute)
    return meta


def as_json(items: Iterable[Any]) -> MetadataValue:
    return MetadataValue.json([asdict(i) for i in items])


def failure(error: PipelineError) -> Failure:
    """A stage's refusal as one clear Dagster failure, not a traceback to decode."""
    return Failure(description=str(error), metadata=error_metadata(error), allow_retries=False)


def read_descriptor(folder: Path) -> dict[str, Any]:
    """A package's datapackage.json."""
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
