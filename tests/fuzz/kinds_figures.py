"""Mutants that change a table's figures or rows. Each docstring says when one is catchable.

"The oracle" below is `tests.fuzz.oracle`: catchable means every consistent reading
of the changed text breaks a declared check that held (or fails differently) in the
clean report.
"""

from __future__ import annotations

import re
from decimal import Decimal

from tests.fuzz.context import Context, Mutant, like, mutant
from tests.fuzz.layout import Cell, TableAt, clean, tokens
from tests.fuzz.oracle import typed


def _other_digit(ctx: Context, text: str) -> str | None:
    positions = [i for i, c in enumerate(text) if c.isdigit()]
    if not positions:
        return None
    i = ctx.rng.choice(positions)
    digit = ctx.rng.choice([d for d in "0123456789" if d != text[i]])
    return text[:i] + digit + text[i + 1 :]


def _change_cell(ctx: Context, table: TableAt, cell: Cell, new: str, what: str) -> Mutant:
    caught, why, expect = ctx.cells_change(table, [(cell, new)])
    text = ctx.edit({cell.line: ctx.with_token(cell.line, cell.token, new)})
    where = "totales" if cell.row is None else f"fila {cell.row + 1}"
    return mutant(
        f"{table.name} línea {cell.line} ({where}, {cell.field}): {what} «{cell.text}» → «{new}»",
        text,
        caught,
        why,
        table.name,
        expect,
    )


def digit_cell(ctx: Context) -> Mutant | None:
    """One digit of a data row's figure changed. Catchable per the oracle: a summed cell breaks its
    column's total, a percentage its rule; a cell no check covers (a shelter count, a date) is not."""
    table = ctx.table(lambda t: bool(t.rows))
    row = ctx.pick(table.rows) if table else None
    cell = ctx.pick(row.cells) if row else None
    new = _other_digit(ctx, cell.text) if cell else None
    return _change_cell(ctx, table, cell, new, "dígito") if table and cell and new else None


def digit_total(ctx: Context) -> Mutant | None:
    """One digit of a totals line changed. Catchable per the oracle: unless the new total equals
    the rows' sum (a total that disagreed becoming right), the total/prose/cross checks change."""
    table = ctx.table(lambda t: t.totals is not None)
    cell = ctx.pick(table.totals.cells) if table and table.totals else None
    new = _other_digit(ctx, cell.text) if cell else None
    return _change_cell(ctx, table, cell, new, "dígito") if table and cell and new else None


def date_year(ctx: Context) -> Mutant | None:
    """A date's year changed (4021, 2081, 1921, a year before or after). Catchable when the date
    leaves a year around the period or comes before its row's start date (oracle's date checks)."""
    table = ctx.table(lambda t: any(c.field and t.spec.field(c.field).type == "date" for r in t.rows for c in r.cells))
    if not table:
        return None
    cells = [c for r in table.rows for c in r.cells if table.spec.field(c.field).type == "date"]
    cell = ctx.rng.choice(cells)
    day, month, year = cell.text.split("-")
    new_year = ctx.rng.choice([4021, 2081, 1921, int(year) - 1, int(year) + 1, int(year) + 2])
    return _change_cell(ctx, table, cell, f"{day}-{month}-{new_year}", "año")


def row_deleted(ctx: Context) -> Mutant | None:
    """Every line of one row deleted (its label lines too). Catchable per the oracle: a summed row
    breaks the totals; a row another table's check needs goes missing; a measure line of a `columns`
    table is declared (row_labels), so always."""
    table = ctx.table(lambda t: bool(t.rows))
    if not table:
        return None
    row = ctx.rng.choice(table.rows)
    text = ctx.edit({n: None for n in row.lines})
    description = f"{table.name}: fila «{row.label}» (líneas {row.lines[0]}–{row.line}) borrada"
    if table.spec.layout == "columns":
        return mutant(description, text, True, "falta una línea de medida declarada", table.name)
    figures = ctx.oracle.figures()
    del figures[table.name].rows[row.row]
    if table.spec.layout == "rows":
        printed = [list(p) for p in ctx.oracle.printed[table.name]]
        del printed[row.row]
        caught = ctx.oracle.reveals_reading(figures, table.name, printed, set())
    else:
        caught = ctx.oracle.reveals(figures)
    return mutant(description, text, caught, "sumas, cruces y claves sin la fila", table.name)


def row_duplicated(ctx: Context) -> Mutant | None:
    """One row's lines printed twice. Catchable per the oracle (sums double, a key repeats); a
    `columns` table reads the first line of each measure, so a copy there changes nothing."""
    table = ctx.table(lambda t: bool(t.rows))
    if not table:
        return None
    row = ctx.rng.choice(table.rows)
    text = ctx.edit({row.line: [ctx.line(row.line), "", *[ctx.line(n) for n in row.lines]]})
    description = f"{table.name}: fila «{row.label}» (línea {row.line}) repetida"
    if table.spec.layout == "columns":
        return mutant(description, text, False, "la copia de una línea de medida no se lee", table.name)
    figures = ctx.oracle.figures()
    rows = figures[table.name].rows
    rows.insert(row.row + 1, dict(rows[row.row]))
    if table.spec.layout == "rows":
        printed = [list(p) for p in ctx.oracle.printed[table.name]]
        printed.insert(row.row + 1, list(printed[row.row]))
        caught = ctx.oracle.reveals_reading(figures, table.name, printed, {row.row, row.row + 1})
    else:
        caught = ctx.oracle.reveals(figures)
    return mutant(description, text, caught, "sumas dobles o clave repetida", table.name)


def cells_swapped(ctx: Context) -> Mutant | None:
    """Two neighbouring figures of a line swapped. Catchable per the oracle: different figures in two
    summed columns break both totals; two `columns` cells of an unchecked measure do not."""
    table = ctx.table(lambda t: t.spec.layout != "pattern")
    if not table:
        return None
    line = ctx.pick([p for p in ctx.printed_cells(table) if len(p.cells) > 1])
    if not line:
        return None
    j = ctx.rng.randrange(len(line.cells) - 1)
    a, b = line.cells[j], line.cells[j + 1]
    if a.text == b.text:
        return None
    caught, why, _ = ctx.cells_change(table, [(a, b.text), (b, a.text)])
    swapped = ctx.edit({line.line: _swap(ctx.line(line.line), a.token, b.token)})
    return mutant(
        f"{table.name} línea {line.line}: «{a.text}» ({a.field}) ↔ «{b.text}» ({b.field})",
        swapped,
        caught,
        why,
        table.name,
    )


def _swap(line: str, i: int, j: int) -> str:
    words = tokens(line)
    out = line[: words[i].start()] + words[j][0] + line[words[i].end() : words[j].start()] + words[i][0]
    return out + line[words[j].end() :]


def cell_deleted(ctx: Context) -> Mutant | None:
    """One figure of a line deleted. Data rows: the oracle over every placement of the row's now
    missing cell (a blankable zero can vanish harmlessly); a totals line: readable only as the summed
    columns; a `columns` or `pattern` line has a declared shape, so always."""
    table = ctx.table()
    line = ctx.pick(ctx.printed_cells(table)) if table else None
    if not table or not line or not line.cells:
        return None
    cell = ctx.rng.choice(line.cells)
    text = ctx.edit({cell.line: ctx.with_token(cell.line, cell.token, "")})
    description = f"{table.name} línea {cell.line}: «{cell.text}» ({cell.field}) borrada"
    kept = [c.text for c in line.cells if c is not cell]
    if line.row is None and line is table.totals:
        caught = _totals_reveal(ctx, table, kept)
        return mutant(description, text, caught, "línea de totales con una cifra menos", table.name)
    if table.spec.layout != "rows":
        return mutant(description, text, True, "la línea pierde una cifra de su forma declarada", table.name)
    printed = [list(p) for p in ctx.oracle.printed[table.name]]
    printed[line.row] = kept
    caught = ctx.oracle.reveals_reading(ctx.oracle.figures(), table.name, printed, {line.row})
    return mutant(description, text, caught, "cada ubicación posible de la celda que falta", table.name)


def _totals_reveal(ctx: Context, table: TableAt, cells: list[str]) -> bool:
    """A totals line read as every numeric column or as the summed ones; unreadable → caught."""
    spec = table.spec
    for fields in ([f for f in spec.cell_fields if f.is_numeric], [f for f in spec.total_fields if f.is_numeric]):
        if len(fields) == len(cells):
            figures = ctx.oracle.figures()
            try:
                figures[table.name].totals = {f.name: Decimal(typed(f, c)) for f, c in zip(fields, cells)}
            except ValueError:
                return True
            return ctx.oracle.reveals(figures)
    return True


def cell_added(ctx: Context) -> Mutant | None:
    """A figure appended to a line. A short data row then reads one more cell (oracle); a full one
    pushes its first figure into the label: not a department (always caught) or a label the oracle
    checks; a totals line with one figure too many, a `columns` or `pattern` line: always."""
    table = ctx.table()
    line = ctx.pick(ctx.printed_cells(table)) if table else None
    if not table or not line or not line.cells:
        return None
    extra = ctx.rng.choice([c.text for c in line.cells] + [str(ctx.rng.randint(1, 99))])
    text = ctx.edit({line.line: ctx.line(line.line).rstrip() + " " + extra})
    description = f"{table.name} línea {line.line}: cifra «{extra}» añadida al final"
    cells = [c.text for c in line.cells] + [extra]
    if line is table.totals:
        return mutant(description, text, _totals_reveal(ctx, table, cells), "totales con una cifra más", table.name)
    if table.spec.layout != "rows":
        return mutant(description, text, True, "la línea no tiene la forma declarada", table.name)
    numeric = [f for f in table.spec.cell_fields if f.is_numeric]
    figures = ctx.oracle.figures()
    printed = [list(p) for p in ctx.oracle.printed[table.name]]
    if len(cells) > len(numeric):
        if table.departments:
            return mutant(description, text, True, "la etiqueta con una cifra no es un departamento", table.name)
        row = figures[table.name].rows[line.row]
        for fld in table.spec.fields:
            if fld.source == "label":
                row[fld.name] = clean(f"{row[fld.name]} {cells[0]}")
        cells = cells[1:]
    printed[line.row] = cells
    caught = ctx.oracle.reveals_reading(figures, table.name, printed, {line.row})
    return mutant(description, text, caught, "la fila se lee con las cifras corridas", table.name)


def target_zero(ctx: Context) -> Mutant | None:
    """A row printed as "target 0, executed n, 0.00 %" in a table with a rule `pct = a / b * 100`.
    Catchable: n / 0 is no percentage (the oracle never accepts x / 0 for x ≠ 0)."""
    table = ctx.table(
        lambda t: t.spec.layout == "rows" and any(re.fullmatch(r"\w+ = \w+ / \w+ \* 100", r) for r in t.spec.rules)
    )
    if not table:
        return None
    rule = next(r for r in table.spec.rules if re.fullmatch(r"\w+ = \w+ / \w+ \* 100", r))
    target, numerator, denominator = re.findall(r"\w+", rule)[:3]
    full = [r for r in table.rows if {c.field for c in r.cells} >= {target, numerator, denominator}]
    row = ctx.pick(full)
    if not row:
        return None
    executed = ctx.rng.choice([9, 9, 1, 250])
    by_field = {c.field: c for c in row.cells}
    changes = [
        (by_field[denominator], like(by_field[denominator].text, 0)),
        (by_field[numerator], like(by_field[numerator].text, executed)),
        (by_field[target], like(by_field[target].text, 0)),
    ]
    caught, why, _ = ctx.cells_change(table, changes)
    line = ctx.line(row.line)
    for cell, new in sorted(changes, key=lambda c: -c[0].token):
        word = tokens(line)[cell.token]
        line = line[: word.start()] + new + line[word.end() :]
    return mutant(
        f"{table.name} línea {row.line}: {denominator} 0, {numerator} {executed}, {target} 0",
        ctx.edit({row.line: line}),
        caught,
        why,
        table.name,
    )


def _blank_tables(ctx: Context) -> list[TableAt]:
    """Department-style tables whose every figure may be blank and that state no row rule."""
    return [
        t
        for t in ctx.tables
        if t.spec.layout == "rows"
        and t.totals
        and not t.spec.rules
        and t.spec.totals
        and t.spec.totals.rows == "all"
        and len(t.rows) > 3
        and all(f.blank and f.total for f in t.spec.cell_fields if f.is_numeric)
    ]


def one_figure_per_row(ctx: Context) -> Mutant | None:
    """The table printed with one figure per row and totals that add up (the blank-placement
    explosion). Catchable, always: two rows print the same figure in different columns, so swapping
    them keeps every total; no placement is the only one, and only a refusal keeps the promise."""
    table = ctx.pick(_blank_tables(ctx))
    if not table:
        return None
    numeric = [f.name for f in table.spec.cell_fields if f.is_numeric]
    values = [ctx.rng.randint(1, 40) for _ in table.rows]
    columns = [ctx.rng.randrange(len(numeric)) for _ in table.rows]
    a, b = ctx.rng.sample(range(len(table.rows)), 2)
    values[b] = values[a]
    columns[b] = (columns[a] + ctx.rng.randrange(1, len(numeric))) % len(numeric)
    sums = [sum(v for v, c in zip(values, columns) if c == k) for k in range(len(numeric))]
    body: list[str] = []
    for row, value in zip(table.rows, values):
        body += [f"{row.label} {value:,}", ""]
    assert table.totals
    body.append(" ".join([table.totals.label, *[f"{s:,}" for s in sums]]))
    changes: dict[int, str | list[str] | None] = {n: None for n in range(table.rows[0].lines[0], table.totals.line + 1)}
    changes[table.rows[0].lines[0]] = body
    return mutant(
        f"{table.name}: una cifra por fila, totales coherentes ({len(table.rows)} filas)",
        ctx.edit(changes),
        True,
        "dos filas intercambiables: más de una ubicación",
        table.name,
    )


def short_rows_bad_totals(ctx: Context) -> Mutant | None:
    """Up to 8 full rows lose a non-zero blankable figure; the totals line stays. Catchable when
    the figures left add up to another grand total than the clean rows': every placement keeps a
    row's sum, so some column must then differ from its clean sum."""
    table = ctx.pick(_blank_tables(ctx))
    if not table:
        return None
    numeric = [f.name for f in table.spec.cell_fields if f.is_numeric]
    full = [r for r in table.rows if len(r.cells) == len(numeric) and any(c.text != "0" for c in r.cells)]
    chosen = ctx.rng.sample(full, min(8, len(full)))
    changes: dict[int, str | list[str] | None] = {}
    removed = Decimal(0)
    for row in chosen:
        cell = ctx.rng.choice([c for c in row.cells if c.text != "0"])
        changes[row.line] = ctx.with_token(row.line, cell.token, "")
        removed += Decimal(cell.text.replace(",", ""))
    return mutant(
        f"{table.name}: {len(chosen)} filas pierden una cifra, totales sin cambiar",
        ctx.edit(changes),
        removed != 0,
        "la suma de todas las cifras ya no es la de las filas limpias",
        table.name,
    )
