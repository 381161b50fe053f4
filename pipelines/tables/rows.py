"""Read a table's rows out of its block of lines, before blanks are placed.

Three layouts cover the report: `rows` (a label, possibly broken over lines,
then numeric cells), `columns` (each printed line is one measure across the
table's columns) and `pattern` (a row regex with one named group per field).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from pipelines.errors import ReportError
from pipelines.report.departments import closest_department, match_department
from pipelines.report.numbers import HAS_DIGIT, is_number, parse_number, quantize, split_trailing_numbers
from pipelines.report.text import ReportText
from pipelines.specs.model import FieldSpec, TableSpec
from pipelines.tables.labels import DuplicateRows, check_figures, known_label, row_key
from pipelines.tables.locate import Block, clean
from pipelines.tables.model import Row, Table, Value


@dataclass
class RawRow:
    """A row whose numeric cells may still be fewer than its columns."""

    label: str
    line: int
    cells: list[str]
    fixed: dict[str, Value] = field(default_factory=dict)


@dataclass
class RawTable:
    block: Block
    rows: list[RawRow]
    totals: dict[str, Decimal] | None
    totals_line: int | None
    end_line: int


def typed(spec: TableSpec, fld: FieldSpec, token: str, line: int, report: ReportText) -> Value:
    """A printed cell as the field's type; letters in a number are an error, not a guess."""

    def fail(why: str) -> ReportError:
        return ReportError(f"columna {fld.name}: {why}", table=spec.name, line=line, report=report.filename)

    if fld.type == "string":
        return token
    if fld.type == "date":
        try:
            day, month, year = (int(part) for part in token.split("-"))
            return date(year, month, day)
        except ValueError:
            raise fail(f"«{token}» no es una fecha día-mes-año") from None
    if not is_number(token):
        raise fail(f"«{token}» no es un número")
    value = parse_number(token)
    if fld.type == "integer":
        if value != value.to_integral_value():
            raise fail(f"«{token}» debería ser un número entero")
        return int(value)
    return quantize(value, fld.decimals) if fld.decimals is not None else value


def _bad_number(label: str) -> str | None:
    """The last label word when it looks like a mangled number ("1O", "6,5961,88.00")."""
    words = label.split()
    return words[-1] if words and HAS_DIGIT.search(words[-1]) else None


def _department_values(spec: TableSpec, label: str, line: int, report: ReportText) -> dict[str, Value]:
    department = match_department(label)
    if department is None:
        bad = _bad_number(label)
        if bad:
            raise ReportError(f"«{bad}» no es un número", table=spec.name, line=line, report=report.filename)
        hint = closest_department(label)
        suggestion = f"; ¿quiso decir «{hint}»?" if hint else ""
        raise ReportError(
            f"departamento desconocido «{label}»{suggestion}", table=spec.name, line=line, report=report.filename
        )
    values: dict[str, Value] = {}
    for fld in spec.fields:
        if fld.source == "department_code":
            values[fld.name] = department.codigo
        elif fld.source == "department_name":
            values[fld.name] = department.nombre
    return values


def _totals(spec: TableSpec, text: str, line: int, report: ReportText) -> dict[str, Decimal]:
    """The totals line's figures, mapped onto every numeric column or only the summed ones."""
    label, cells = split_trailing_numbers(text[len(spec.totals.label) :], 99)  # type: ignore[union-attr]
    for candidates in (spec.cell_fields, spec.total_fields):
        numeric = [f for f in candidates if f.is_numeric]
        if len(cells) == len(numeric) and not label.strip():
            return {f.name: Decimal(typed(spec, f, c, line, report)) for f, c in zip(numeric, cells)}
    raise ReportError(
        f"la línea de totales tiene {len(cells)} números; se esperaban {len(spec.total_fields)}"
        + (f" («{label.strip()}» no es un número)" if label.strip() else ""),
        table=spec.name,
        line=line,
        report=report.filename,
    )


def _group_value(spec: TableSpec, text: str, line: int, report: ReportText) -> str:
    groups = spec.groups
    assert groups is not None
    for known in groups.known:
        if clean(known.printed) == text:
            return known.value
    if groups.known:
        raise ReportError(
            f"sección desconocida «{text}»; las conocidas son: " + "; ".join(k.printed for k in groups.known),
            table=spec.name,
            line=line,
            report=report.filename,
        )
    return text


def read_rows(report: ReportText, block: Block) -> RawTable:
    """Rows, totals and the line where the table ends (the totals line, or the block's end)."""
    spec = block.spec
    numeric = [f for f in spec.cell_fields if f.is_numeric]
    pending: list[str] = []
    pending_from = 0
    group = spec.groups.default if spec.groups else None
    in_group = 0
    rows: list[RawRow] = []
    duplicates = DuplicateRows(spec, report.filename)
    for line in range(block.data_start, block.end):
        text = clean(report.line(line))
        if not text or text.startswith("Fuente") or text in (".",):
            continue
        if spec.totals and text.startswith(spec.totals.label):
            return RawTable(block, rows, _totals(spec, text, line, report), line, line)
        if spec.layout == "pattern":
            row = _pattern_row(spec, text, line, report)
            duplicates.add(row_key(spec, row.fixed, row.label, None, False), row.label, line)
            rows.append(row)
            continue
        if spec.groups and not pending and re.match(spec.groups.pattern, text):
            group = _group_value(spec, text, line, report)
            in_group = 0
            continue
        label, cells = split_trailing_numbers(text, len(numeric))
        if not cells:
            pending_from = pending_from or line
            pending.append(text)
            continue
        label = " ".join([*pending, label]).strip()
        first_line, pending, pending_from = pending_from or line, [], 0
        check_figures(spec, label, line, report.filename)
        row = RawRow(label=label, line=line, cells=cells)
        if len(cells) < len(numeric) and not any(f.blank for f in numeric):
            bad = _bad_number(label)
            raise ReportError(
                f"la fila «{label}» tiene {len(cells)} números y el cuadro {len(numeric)} columnas"
                + (f"; «{bad}» no es un número" if bad else ""),
                table=spec.name,
                line=line,
                report=report.filename,
            )
        if spec.has_departments:
            row.fixed.update(_department_values(spec, label, line, report))
        for fld in spec.fields:
            if fld.source == "label":
                row.fixed[fld.name] = known_label(spec, label, line, report.filename, first_line)
            elif fld.source == "group":
                row.fixed[fld.name] = group
        heads = bool(spec.groups and spec.groups.first_row_heads and in_group == 0)
        duplicates.add(row_key(spec, row.fixed, label, group, heads), label, line)
        in_group += 1
        rows.append(row)
    if spec.totals:
        raise ReportError(
            f"no se encontró la línea de totales «{spec.totals.label}»: ¿el informe está truncado?",
            table=spec.name,
            line=block.heading,
            report=report.filename,
        )
    if pending:
        raise ReportError(
            f"texto sin cifras al final del cuadro: «{' '.join(pending)}»",
            table=spec.name,
            line=block.end - 1,
            report=report.filename,
        )
    return RawTable(block, rows, None, None, block.end)


def _pattern_row(spec: TableSpec, text: str, line: int, report: ReportText) -> RawRow:
    match = re.match(spec.row_pattern or "", text)
    if not match:
        raise ReportError(f"fila no reconocida: «{text}»", table=spec.name, line=line, report=report.filename)
    fixed = {f.name: typed(spec, f, match[f.name], line, report) for f in spec.fields}
    for fld in spec.fields:
        if fld.type == "string":
            check_figures(spec, fixed[fld.name], line, report.filename)
    return RawRow(label=text, line=line, cells=[], fixed=fixed)


def read_columns(report: ReportText, block: Block) -> Table:
    """A `columns` table: each printed line is one field across the declared columns."""
    spec = block.spec
    found: dict[str, tuple[int, list[str]]] = {}
    last = block.heading
    for line in range(block.data_start, block.end):
        text = clean(report.line(line))
        for row_label in spec.row_labels:
            if row_label.field not in found and text.startswith(row_label.label + " "):
                label, cells = split_trailing_numbers(text, len(spec.columns))
                if label != row_label.label or len(cells) != len(spec.columns):
                    raise ReportError(
                        f"la fila «{row_label.label}» debe tener {len(spec.columns)} números"
                        + (
                            f"; «{label[len(row_label.label) :].strip()}» no es un número"
                            if label != row_label.label
                            else ""
                        ),
                        table=spec.name,
                        line=line,
                        report=report.filename,
                    )
                found[row_label.field] = (line, cells)
                last = line
        if len(found) == len(spec.row_labels):
            break
    missing = [r.label for r in spec.row_labels if r.field not in found]
    if missing:
        raise ReportError(
            "faltan las filas " + ", ".join(f"«{m}»" for m in missing) + ": ¿el informe está truncado?",
            table=spec.name,
            line=block.heading,
            report=report.filename,
        )
    rows = []
    for index, column in enumerate(spec.columns):
        values: dict[str, Value] = {}
        for fld in spec.fields:
            if fld.source == "column":
                values[fld.name] = column[fld.column_key or fld.name]
            else:
                line, cells = found[fld.name]
                values[fld.name] = typed(spec, fld, cells[index], line, report)
        first_line = min(line for line, _ in found.values())
        rows.append(Row(values=values, line=first_line, label=column[spec.fields[0].column_key or spec.fields[0].name]))
    return Table(spec=spec, rows=rows, heading_line=block.heading, source=block.source, end_line=last)
