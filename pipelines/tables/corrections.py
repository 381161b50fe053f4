"""Human-reviewed answers for blank cells the parser cannot place on its own.

Shipped next to the report as `<report>.correcciones.toml`:

    [[celdas_vacias]]
    tabla = "servicio-social"
    fila = "Quiché"                 # the row label as printed
    campos = ["mujeres"]            # the columns that are blank in that row
    revisado_por = "Nombre Apellido"
    nota = "Confirmado con la Dirección de Servicio Social"
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pipelines.errors import ReportError


def corrections_path(report_path: Path) -> Path:
    return report_path.with_name(f"{report_path.stem}.correcciones.toml")


def load_corrections(report_path: Path) -> dict[str, dict[str, tuple[str, ...]]]:
    """table name → row label → blank columns; empty when there is no file."""
    path = corrections_path(report_path)
    if not path.exists():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ReportError(f"archivo de correcciones inválido: {exc}", report=path.name) from None
    result: dict[str, dict[str, tuple[str, ...]]] = {}
    for entry in raw.get("celdas_vacias", []):
        missing = {"tabla", "fila", "campos", "revisado_por"} - set(entry)
        if missing:
            raise ReportError(f"a una corrección le faltan {sorted(missing)}", report=path.name)
        result.setdefault(entry["tabla"], {})[entry["fila"]] = tuple(entry["campos"])
    return result
