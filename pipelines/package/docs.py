"""The package's README: the data dictionary, generated from the table descriptions."""

from __future__ import annotations

from typing import Any

from pipelines.tables.expressions import Rule
from pipelines.tables.model import ParsedReport


def readme(parsed: ParsedReport, descriptor: dict[str, Any]) -> str:
    period = parsed.period
    lines = [
        f"# {descriptor['title']}",
        "",
        descriptor["description"],
        "",
        f"- Período: {period.label} ({period.start.isoformat()} a {period.end.isoformat()}), clave `{period.key}`",
        f"- Publicador: {parsed.series.publisher_name} ({parsed.series.publisher})",
        f"- Licencia: {parsed.series.license_title} ({parsed.series.license_url})",
        f"- Fuente: `{parsed.report.filename}` (sha256 `{parsed.report.sha256}`)",
        f"- Celdas vacías reconstruidas: {len(parsed.placed)}; discrepancias del informe: "
        f"{len(parsed.discrepancies)} (detalle en `calidad.json`)",
        "",
        "## Diccionario de datos",
        "",
    ]
    for spec in parsed.series.tables:
        table = parsed.tables[spec.name]
        lines += [
            f"### `{spec.name}`: {spec.title}",
            "",
            spec.description,
            "",
            f"Archivo `data/{spec.name}.csv`, {len(table.rows)} filas. "
            f"{table.source or 'El informe no indica la fuente de este cuadro.'}",
            "",
        ]
        if spec.note:
            lines += [f"> {spec.note}", ""]
        lines += ["| campo | título | tipo | unidad | puede venir vacía | descripción |", "|---|---|---|---|---|---|"]
        for f in spec.fields:
            lines.append(
                f"| `{f.name}` | {f.title} | {f.type} | {f.unit or ''} | {'sí' if f.blank else 'no'} | "
                f"{f.description} |"
            )
        rules = [Rule.parse(r).text for r in spec.rules]
        if rules or spec.totals:
            lines.append("")
            lines += [f"- Regla de fila: `{r}`" for r in rules]
            if spec.totals:
                lines.append(f"- La línea «{spec.totals.label}» del informe da los totales; no es una fila de datos.")
        lines.append("")
    return "\n".join(lines)
