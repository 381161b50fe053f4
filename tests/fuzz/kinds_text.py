"""Mutants that change how the text is written, not what it says.

Line endings, a BOM, other spaces, invisible characters, another number format,
no currency sign, a department in capitals or without accents, a stray table
heading in the prose: the figures mean the same (or nothing), so each is
catchable by principle: the pipeline must read the same figures, or refuse, or
flag; publishing other figures silently is a failure. Where the new form still
reads as a figure (a "." thousands separator in "22.000"), the oracle decides.
"""

from __future__ import annotations

import unicodedata

from tests.fuzz.context import Context, Mutant, mutant
from tests.fuzz.kinds_labels import label_spans
from tests.fuzz.layout import Cell, Printed, TableAt, clean

SPACES = {"nbsp": ("\u00a0",), "tab": ("\t",), "thin-space": ("\u2009", "\u202f", "\u2007", "\u200a")}
INVISIBLE = ("\u200b", "\ufeff", "\u00ad", "\u2060")
CONTROLS = ("\x0f", "\x01", "\x1b", "\x7f", "\x00", "\x08")
FORMAT = "un cambio de forma: las mismas cifras, o un rechazo, o una discrepancia"


def _mutant(
    description: str,
    data: str | bytes,
    table: str | None,
    caught: bool = True,
    why: str = FORMAT,
    needs_line: bool = False,
) -> Mutant:
    """Text-level damage is a change of form unless a kind says otherwise."""
    return mutant(description, data, caught, why, table, needs_line=needs_line)


def crlf(ctx: Context) -> Mutant | None:
    """Windows line endings, on every line or on some."""
    lines = ctx.layout.lines
    if ctx.rng.random() < 0.5:
        return _mutant("CRLF en todas las líneas", "\r\n".join(lines), None)
    some = {i for i in range(len(lines)) if ctx.rng.random() < 0.3}
    text = "".join(line + ("\r\n" if i in some else "\n") for i, line in enumerate(lines))[:-1]
    return _mutant(f"CRLF en {len(some)} líneas", text, None)


def cr(ctx: Context) -> Mutant | None:
    """Old Mac line endings (CR only), on every line or mixed with LF."""
    lines = ctx.layout.lines
    if ctx.rng.random() < 0.5:
        return _mutant("CR en todas las líneas", "\r".join(lines), None)
    some = {i for i in range(len(lines)) if ctx.rng.random() < 0.3}
    text = "".join(line + ("\r" if i in some else "\n") for i, line in enumerate(lines))[:-1]
    return _mutant(f"CR en {len(some)} líneas", text, None)


def bom(ctx: Context) -> Mutant | None:
    """A UTF-8 byte-order mark at the start, with LF or CRLF line endings."""
    if ctx.rng.random() < 0.5:
        return _mutant("BOM al inicio", "\ufeff" + ctx.text, None)
    return _mutant("BOM al inicio y CRLF", "\ufeff" + "\r\n".join(ctx.layout.lines), None)


def _table_lines(ctx: Context, table: TableAt) -> list[int]:
    return list(range(table.heading, table.last_line + 1))


def _spaced(ctx: Context, kind: str) -> Mutant | None:
    table = ctx.table()
    assert table
    one = ctx.rng.random() < 0.5
    numbers = [ctx.rng.choice([p.line for p in ctx.printed_cells(table)])] if one else _table_lines(ctx, table)
    char = ctx.rng.choice(SPACES[kind])
    changes: dict[int, str | list[str] | None] = {}
    for n in numbers:
        changes[n] = "".join(char if c == " " and ctx.rng.random() < 0.7 else c for c in ctx.line(n))
    where = f"línea {numbers[0]}" if one else f"todo el cuadro {table.name}"
    return _mutant(f"espacios → U+{ord(char):04X} en {where}", ctx.edit(changes), table.name)


def nbsp(ctx: Context) -> Mutant | None:
    """Spaces of a table's line (or the whole table) made no-break spaces."""
    return _spaced(ctx, "nbsp")


def tab(ctx: Context) -> Mutant | None:
    """Spaces of a table's line (or the whole table) made tabs."""
    return _spaced(ctx, "tab")


def thin_space(ctx: Context) -> Mutant | None:
    """Spaces of a table's line (or the whole table) made thin, narrow, figure or hair spaces."""
    return _spaced(ctx, "thin-space")


def _row_line(ctx: Context) -> tuple[TableAt, Printed] | None:
    table = ctx.table()
    line = ctx.pick(ctx.printed_cells(table)) if table else None
    return (table, line) if table and line else None


def zero_width(ctx: Context) -> Mutant | None:
    """An invisible character (zero-width space, BOM, soft hyphen, word joiner) inside a table's line."""
    found = _row_line(ctx)
    if not found:
        return None
    table, printed = found
    line = ctx.line(printed.line)
    i = ctx.rng.randrange(len(line.rstrip()) + 1)
    char = ctx.rng.choice(INVISIBLE)
    return _mutant(
        f"U+{ord(char):04X} en la línea {printed.line}, posición {i}",
        ctx.edit({printed.line: line[:i] + char + line[i:]}),
        None,
        needs_line=True,
    )


def control_byte(ctx: Context) -> Mutant | None:
    """A raw control byte (0x0F and others) inside a row's label."""
    table = ctx.table(lambda t: bool(t.rows))
    row = ctx.pick(table.rows) if table else None
    spans = label_spans(ctx, table, row) if table and row else []
    if not spans:
        return None
    number, start, end = ctx.rng.choice(spans)
    i = ctx.rng.randrange(start, end + 1)
    char = ctx.rng.choice(CONTROLS)
    line = ctx.line(number)
    return _mutant(
        f"byte 0x{ord(char):02X} en la etiqueta de la línea {number}",
        ctx.edit({number: line[:i] + char + line[i:]}),
        None,
        needs_line=True,
    )


def _cell(ctx: Context, test) -> tuple[TableAt, Cell] | None:
    cells = [(t, c) for t in ctx.tables for p in ctx.printed_cells(t) for c in p.cells if test(t, c)]
    return ctx.pick(cells)


def _recast(ctx: Context, table: TableAt, cell: Cell, new: str, what: str) -> Mutant:
    caught, why, expect = ctx.cells_change(table, [(cell, new)])
    text = ctx.edit({cell.line: ctx.with_token(cell.line, cell.token, new)})
    return Mutant(
        "",
        f"{table.name} línea {cell.line} ({cell.field}): {what} «{cell.text}» → «{new}»",
        text.encode("utf-8"),
        caught,
        why,
        table.name,
        expect,
    )


def dot_thousands(ctx: Context) -> Mutant | None:
    """A figure printed with "." for thousands (and "," for decimals, European style). The oracle
    decides: "1.009" in a count column is no count; "22.000" reads as 22 and breaks the checks."""
    found = _cell(ctx, lambda t, c: "," in c.text or "." in c.text)
    if not found:
        return None
    table, cell = found
    new = cell.text.translate(str.maketrans(",.", ".,")) if ctx.rng.random() < 0.5 else cell.text.replace(",", ".")
    return _recast(ctx, table, cell, new, "separadores") if new != cell.text else None


def no_q(ctx: Context) -> Mutant | None:
    """The currency sign dropped from one figure, one line, or the whole table."""
    found = _cell(ctx, lambda t, c: c.text.startswith("Q"))
    if not found:
        return None
    table, cell = found
    scope = ctx.rng.choice(["celda", "línea", "cuadro"])
    lines = {cell.line} if scope != "cuadro" else set(_table_lines(ctx, table))
    changes: dict[int, str | list[str] | None] = {}
    for n in lines:
        if scope == "celda":
            changes[n] = ctx.with_token(n, cell.token, cell.text[1:])
        else:
            changes[n] = " ".join(
                w[1:] if w.startswith("Q") and w[1:2].isdigit() else w for w in ctx.line(n).split(" ")
            )
    return _mutant(f"{table.name}: sin «Q» ({scope}, línea {cell.line})", ctx.edit(changes), table.name)


def q_space(ctx: Context) -> Mutant | None:
    """ "Q 32,595,100.00": a space after the currency sign, in one figure or a whole line."""
    found = _cell(ctx, lambda t, c: c.text.startswith("Q"))
    if not found:
        return None
    table, cell = found
    if ctx.rng.random() < 0.5:
        new = ctx.with_token(cell.line, cell.token, "Q " + cell.text[1:])
    else:
        new = " ".join(
            "Q " + w[1:] if w.startswith("Q") and w[1:2].isdigit() else w for w in ctx.line(cell.line).split(" ")
        )
    return _mutant(f"{table.name} línea {cell.line}: «Q » con espacio", ctx.edit({cell.line: new}), table.name)


def _departments(ctx: Context, change) -> Mutant | None:
    table = ctx.table(lambda t: t.departments)
    if not table:
        return None
    rows = [r for r in table.rows if change(r.label) != r.label]
    if not rows:
        return None
    chosen = rows if ctx.rng.random() < 0.3 else [ctx.rng.choice(rows)]
    changes: dict[int, str | list[str] | None] = {}
    for row in chosen:
        line = ctx.line(row.line)
        i = line.index(row.label) if row.label in line else -1
        if i < 0:
            return None
        changes[row.line] = line[:i] + change(row.label) + line[i + len(row.label) :]
    return _mutant(
        f"{table.name}: {len(chosen)} departamento(s) «{chosen[0].label}» → «{change(chosen[0].label)}»",
        ctx.edit(changes),
        table.name,
    )


def dept_upper(ctx: Context) -> Mutant | None:
    """A department (or all of a table's) printed in capitals."""
    return _departments(ctx, str.upper)


def dept_unaccented(ctx: Context) -> Mutant | None:
    """A department (or all of a table's) printed without accents."""
    return _departments(
        ctx, lambda s: "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")
    )


def percent_sign(ctx: Context) -> Mutant | None:
    """A "%" added to a figure that has none, or dropped from one that has it."""
    found = _cell(ctx, lambda t, c: True)
    if not found:
        return None
    table, cell = found
    new = cell.text[:-1] if cell.text.endswith("%") else cell.text + "%"
    text = ctx.edit({cell.line: ctx.with_token(cell.line, cell.token, new)})
    return _mutant(f"{table.name} línea {cell.line}: «{cell.text}» → «{new}»", text, table.name)


def minus_sign(ctx: Context) -> Mutant | None:
    """A minus sign (ASCII or U+2212) before a figure: no count or amount of these tables is negative."""
    found = _cell(ctx, lambda t, c: t.spec.field(c.field).type != "date")
    if not found:
        return None
    table, cell = found
    new = ctx.rng.choice(["-", "\u2212"]) + cell.text
    text = ctx.edit({cell.line: ctx.with_token(cell.line, cell.token, new)})
    return _mutant(f"{table.name} línea {cell.line}: «{cell.text}» → «{new}»", text, table.name)


def heading_echo(ctx: Context) -> Mutant | None:
    """A table's heading repeated in the prose before the tables, as an index would print it."""
    table = ctx.table()
    first = min(t.heading for t in ctx.tables)
    if not table or first < 3:
        return None
    at = ctx.rng.randrange(1, first - 1)
    heading = clean(ctx.line(table.heading))
    return _mutant(
        f"encabezado de {table.name} repetido en la línea {at + 1}", ctx.edit({at: [ctx.line(at), heading]}), table.name
    )
