"""Refuse to write a package that Frictionless finds invalid."""

from __future__ import annotations

from pathlib import Path

from frictionless import validate

from pipelines.errors import ReportError


def validate_package(folder: Path, report_name: str) -> None:
    """Types, constraints, primary and foreign keys of every resource."""
    result = validate(str(folder / "datapackage.json"))
    if result.valid:
        return
    problems = []
    for task in result.tasks:
        for error in task.errors[:3]:
            row = getattr(error, "row_number", None)
            where = f" fila {row}" if row else ""
            problems.append(f"{task.name}{where}: {error.message}")
    first = next((t.name for t in result.tasks if not t.valid), None)
    raise ReportError("el paquete no es válido: " + "; ".join(problems[:5]), table=first, report=report_name)
