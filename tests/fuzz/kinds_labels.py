"""Mutants that change what a row is called, or glue text into a table.

A department table's label must be a department of the vocabulary, so a label it
no longer recognises is always catchable; a free-text label (activities, targets,
shelters) is catchable only through the oracle: a declared closed list of labels
(`known_labels`), a key, or another table's check that looks the row up by name.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pipelines.report.departments import match_department
from tests.fuzz.context import Context, Mutant, mutant
from tests.fuzz.layout import Printed, TableAt, clean, tokens
from tests.fuzz.oracle import typed

WORDS = ("lorem", "ipsum", "anexo", "continúa", "nota", "véase", "cuadro", "xqzv", "dolor", "sit", "amet", "■")
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def garbage(ctx: Context, numbers: bool = False) -> str:
    words = ctx.rng.sample(WORDS, ctx.rng.randint(1, 3))
    if numbers:
        words = ctx.rng.choice(
            [
                ["Página", str(ctx.rng.randint(2, 40))],
                ["-", str(ctx.rng.randint(2, 40)), "-"],
                [*words, str(ctx.rng.randint(1, 999))],
            ]
        )
    return " ".join(words)


def relabel(ctx: Context, table: TableAt, row: Printed, label: str) -> tuple[bool, str]:
    """Catchable? and why, when row `row` of `table` is read with the label `label`."""
    spec = table.spec
    if spec.layout == "columns":
        return True, "una línea de medida declarada pierde su rótulo"
    figures = ctx.oracle.figures()
    values = figures[table.name].rows[row.row]  # type: ignore[index]
    if table.departments:
        department = match_department(label)
        if department is None:
            return True, "la etiqueta no es un departamento del vocabulario"
        if department.codigo == values.get("departamento_codigo"):
            return False, "el vocabulario reconoce la variante: mismo departamento"
        for fld in spec.fields:
            if fld.source == "department_code":
                values[fld.name] = department.codigo
            elif fld.source == "department_name":
                values[fld.name] = department.nombre
    elif spec.layout == "pattern":
        match = re.match(spec.row_pattern or "", label)
        if not match:
            return True, "la fila ya no tiene la forma declarada (row_pattern)"
        try:
            values.update({k: _typed(spec.field(k), v) for k, v in match.groupdict().items()})
        except ValueError:
            return True, "una cifra o fecha de la fila ya no es del tipo de su columna"
    else:
        for fld in spec.fields:
            if fld.source == "label":
                values[fld.name] = label
    caught = ctx.oracle.reveals(figures)
    return caught, (
        "otra etiqueta que la lista cerrada, una clave o un cruce detectan"
        if caught
        else "etiqueta de texto libre que ninguna comprobación declarada mira"
    )


def _typed(fld: Any, text: str) -> Any:
    if fld.type == "string":
        return text
    if fld.type == "date":
        day, month, year = (int(p) for p in text.split("-"))
        return date(year, month, day)
    return typed(fld, text)


def label_spans(ctx: Context, table: TableAt, row: Printed) -> list[tuple[int, int, int]]:
    """(line, start, end) of the printed label's pieces."""
    spans = [(n, 0, len(ctx.line(n))) for n in row.label_lines]
    words = tokens(ctx.line(row.line))
    if table.spec.layout == "pattern":
        first = words[row.cells[0].token + 1].start()
        last = words[row.cells[1].token - 1].end()
        spans.append((row.line, first, last))
    elif row.cells:
        spans.append((row.line, 0, words[row.cells[0].token].start()))
    return [s for s in spans if any(c.isalpha() for c in ctx.line(s[0])[s[1] : s[2]])]


def printed_label(ctx: Context, table: TableAt, row: Printed, changed: dict[int, str]) -> str:
    if table.spec.layout == "pattern":
        return clean(changed.get(row.line, ctx.line(row.line)))
    parts = [changed.get(n, ctx.line(n)) for n in row.label_lines]
    line = changed.get(row.line, ctx.line(row.line))
    cells = len(row.cells)
    parts.append(" ".join(line.split()[:-cells] if cells else line.split()))
    return clean(" ".join(parts))


def label_mangled(ctx: Context) -> Mutant | None:
    """One letter of a row's label (or a measure's name) replaced by another."""
    table = ctx.table(lambda t: bool(t.rows))
    row = ctx.pick(table.rows) if table else None
    spans = label_spans(ctx, table, row) if table and row else []
    if not table or not row or not spans:
        return None
    number, start, end = ctx.rng.choice(spans)
    line = ctx.line(number)
    positions = [i for i in range(start, end) if line[i].isalpha()]
    i = ctx.rng.choice(positions)
    letter = ctx.rng.choice([c for c in LETTERS if c != line[i].lower()])
    new = line[:i] + letter + line[i + 1 :]
    caught, why = relabel(ctx, table, row, printed_label(ctx, table, row, {number: new}))
    return mutant(
        f"{table.name} línea {number}: «{line[i]}» → «{letter}» en «{clean(line[start:end])}»",
        ctx.edit({number: new}),
        caught,
        why,
        table.name,
    )


def garbage_before_label(ctx: Context) -> Mutant | None:
    """Words with no figures glued before a row's first line (before its label)."""
    table = ctx.table(lambda t: bool(t.rows))
    row = ctx.pick(table.rows) if table else None
    if not table or not row:
        return None
    junk = garbage(ctx)
    first = row.lines[0]
    new = f"{junk} {ctx.line(first).lstrip()}"
    caught, why = relabel(ctx, table, row, printed_label(ctx, table, row, {first: new}))
    return mutant(
        f"{table.name} línea {first}: «{junk}» antes de «{row.label}»", ctx.edit({first: new}), caught, why, table.name
    )


def rows_merged(ctx: Context) -> Mutant | None:
    """Two consecutive rows printed on one line. Catchable, always: the line carries a whole row's
    figures inside its label (as many figures in a run as the table has columns), which no label
    does; in a department table the label is not a department either."""
    table = ctx.table(lambda t: len(t.rows) > 1)
    if not table:
        return None
    i = ctx.rng.randrange(len(table.rows) - 1)
    a, b = table.rows[i], table.rows[i + 1]
    joined = " ".join([ctx.line(a.line).rstrip(), *[ctx.line(n).strip() for n in b.lines]])
    changes: dict[int, str | list[str] | None] = {n: None for n in b.lines}
    changes[a.line] = joined
    return mutant(
        f"{table.name}: filas «{a.label}» y «{b.label}» unidas en la línea {a.line}",
        ctx.edit(changes),
        True,
        "cifras de una fila dentro de una etiqueta",
        table.name,
    )


def garbage_line(ctx: Context) -> Mutant | None:
    """A stray line inside a table, before a row or before the totals line (some with a figure, like
    a page number). Catchable: with a figure, a row that is no row (a department table's label is
    no department; a table without blanks gets a short row; a `pattern` line does not match); without
    one, it becomes the next row's label's start (department: always; free text: the oracle). Text
    before the totals line is no row's label and changes nothing; a `columns` table reads only its
    measure lines."""
    table = ctx.table(lambda t: bool(t.rows))
    if not table:
        return None
    targets = [*table.rows, *([table.totals] if table.totals else [])]
    before = ctx.rng.choice(targets)
    numbers = ctx.rng.random() < 0.4
    junk = garbage(ctx, numbers)
    first = before.lines[0]
    text = ctx.edit({first: [junk, "", ctx.line(first)]})
    description = f"{table.name}: línea «{junk}» antes de la línea {first}"
    if table.spec.layout == "columns":
        return mutant(description, text, False, "un cuadro por columnas solo lee sus líneas de medida", table.name)
    if table.spec.layout == "pattern" or numbers:
        return mutant(description, text, True, "una fila que no tiene la forma de una fila", table.name)
    if before is table.totals:
        return mutant(
            description, text, False, "texto sin cifras antes de los totales no es ninguna etiqueta", table.name
        )
    caught, why = relabel(ctx, table, before, clean(f"{junk} {before.label}"))
    return mutant(description, text, caught, why, table.name)
