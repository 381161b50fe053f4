"""Write a package's files: typed CSVs, the quality report and the descriptor.

Same tables in, same bytes out: fixed column order, `\n` line ends, sorted
JSON keys, no timestamps.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from pipelines.package.schema import department_rows
from pipelines.tables.model import ParsedReport


def cell(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def csv_text(fields: list[str], rows: Iterable[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow([cell(row[f]) for f in fields])
    return buffer.getvalue()


def json_text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def quality(parsed: ParsedReport) -> dict[str, Any]:
    """`calidad.json`: placed blanks, the report's disagreements with itself, every check made."""
    return {
        "celdas_reconstruidas": [asdict(c) for c in parsed.placed],
        "discrepancias": [asdict(d) for d in parsed.discrepancies],
        "comprobaciones": [asdict(c) for c in parsed.checks],
    }


def write_tables(parsed: ParsedReport, folder: Path) -> None:
    """The CSVs (one per table, plus the department code list) and `calidad.json`."""
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    for name, table in parsed.tables.items():
        fields = [f.name for f in table.spec.fields]
        (data / f"{name}.csv").write_text(csv_text(fields, (r.values for r in table.rows)), encoding="utf-8")
    departments = department_rows()
    (data / "departamentos.csv").write_text(csv_text(list(departments[0]), departments), encoding="utf-8")
    (folder / "calidad.json").write_text(json_text(quality(parsed)), encoding="utf-8")


def write_descriptor(folder: Path, descriptor: dict[str, Any]) -> None:
    (folder / "datapackage.json").write_text(json_text(descriptor), encoding="utf-8")
