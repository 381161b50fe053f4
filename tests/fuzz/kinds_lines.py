"""Mutants at the level of lines and bytes: a line deleted, a byte corrupted, the file cut, the period."""

from __future__ import annotations

from tests.fuzz.context import Context, Mutant, mutant
from tests.fuzz.kinds_labels import printed_label, relabel
from tests.fuzz.layout import PERIOD, Printed, TableAt, clean, tokens
from tests.fuzz.oracle import NUMBER

CUATRIMESTRES = (("enero", "abril"), ("mayo", "agosto"), ("septiembre", "diciembre"))


def _in_table(ctx: Context, number: int) -> TableAt | None:
    return next((t for t in ctx.tables if t.heading <= number <= t.last_line), None)


def line_deleted(ctx: Context) -> Mutant | None:
    """One non-blank line deleted (most often inside a table). Catchable: a declared line (heading,
    header, section, totals, measure line) always; a row's figures line: its row is gone (oracle;
    a label broken over lines then starts the next row's label); a label line: the label changes
    (oracle); prose and header words: no (a period mention is repeated elsewhere)."""
    lines = [n for n, text in enumerate(ctx.layout.lines, start=1) if text.strip()]
    inside = [n for n in lines if _in_table(ctx, n)]
    number = ctx.rng.choice(inside if inside and ctx.rng.random() < 0.7 else lines)
    text = ctx.edit({number: None})
    description = f"línea {number} borrada: «{clean(ctx.line(number))[:70]}»"
    for table in ctx.tables:
        if number in table.structural():
            return mutant(description, text, True, "línea declarada del cuadro", table.name)
    found = ctx.layout.row_at(number)
    if not found:
        return mutant(description, text, False, "texto que ninguna cifra publicada usa", None)
    table, row = found
    if number != row.line:
        caught, why = relabel(ctx, table, row, printed_label(ctx, table, row, {number: ""}))
        return mutant(description, text, caught, why, table.name)
    figures = ctx.oracle.figures()
    printed = [list(p) for p in ctx.oracle.printed[table.name]]
    rows = figures[table.name].rows
    assert row.row is not None
    del rows[row.row]
    if table.spec.layout == "rows":
        del printed[row.row]
        if row.label_lines:
            pending = clean(" ".join(ctx.line(n) for n in row.label_lines))
            if row.row >= len(rows):
                return mutant(description, text, table.totals is None, "etiqueta sin cifras al final", table.name)
            if table.departments:
                return mutant(description, text, True, "la etiqueta siguiente deja de ser un departamento", table.name)
            for fld in table.spec.fields:
                if fld.source == "label":
                    rows[row.row][fld.name] = clean(f"{pending} {rows[row.row][fld.name]}")
        caught = ctx.oracle.reveals_reading(figures, table.name, printed, set())
    else:
        caught = ctx.oracle.reveals(figures)
    return mutant(description, text, caught, "la fila desaparece (sumas, cruces, claves)", table.name)


def truncated(ctx: Context) -> Mutant | None:
    """The file cut at a random byte. Catchable when the cut falls before the end of the last table's
    last declared line (a table, a row or the totals go missing); after it only prose is lost."""
    data = ctx.text.encode("utf-8")
    end = len("\n".join(ctx.layout.lines[: ctx.layout.last_structural_line]).encode("utf-8"))
    cut = ctx.rng.randrange(1, len(data))
    if ctx.rng.random() < 0.3:
        cut = ctx.rng.randrange(max(1, end - 400), min(len(data), end + 50))
    caught = cut < end
    return mutant(
        f"cortado en el byte {cut} de {len(data)} (último cuadro termina en {end})",
        data[:cut],
        caught,
        "falta parte de un cuadro" if caught else "solo se pierde prosa",
    )


def period_mention(ctx: Context) -> Mutant | None:
    """One statement of the period changed (another year, another four months, months that are no
    four-month period, or "primer cuatrimestre" made "segundo"). Catchable, always: the report then
    contradicts itself about the period its figures belong to."""
    number = ctx.pick(ctx.layout.period_lines)
    ordinal = [n for n, t in enumerate(ctx.layout.lines, start=1) if "primer cuatrimestre" in t.lower()]
    if number is None:
        return None
    line = ctx.line(number)
    match = ctx.rng.choice(list(PERIOD.finditer(line)))
    how = ctx.rng.choice(["año", "año", "meses", "no-cuatrimestre", "ordinal"])
    year = int(match[5])
    if how == "ordinal" and ordinal:
        number = ordinal[0]
        line = ctx.line(number)
        i = line.lower().index("primer cuatrimestre")
        new = line[:i] + "segundo cuatrimestre" + line[i + len("primer cuatrimestre") :]
    elif how == "meses":
        start, end = ctx.rng.choice([c for c in CUATRIMESTRES if c[0] != match[1].lower()])
        new = line[: match.start()] + f"{start}{match[2]}{end}{match[4]}{year}" + line[match.end() :]
    elif how == "no-cuatrimestre":
        new = line[: match.start()] + f"{match[1]}{match[2]}marzo{match[4]}{year}" + line[match.end() :]
    else:
        other = ctx.rng.choice([year - 1, year + 1, year - 10, int(str(year)[:3] + str((year + 5) % 10))])
        new = line[: match.start(5)] + str(other) + line[match.end(5) :]
    if new == line:
        return None
    position = "primera" if number == ctx.layout.period_lines[0] else "otra"
    return mutant(
        f"línea {number} ({position} mención): «{clean(line)[:60]}» → «{clean(new)[:60]}»",
        ctx.edit({number: new}),
        True,
        "el informe se contradice sobre su período",
    )


def random_byte(ctx: Context) -> Mutant | None:
    """One byte replaced by a random one (more often inside a table). Damage to the file, not aimed
    at a table: a refusal must name a line (a table too, when it can). Catchable: no longer UTF-8; a line
    break added or removed
    inside a table; a figure that stops being one or becomes another (oracle); a department label no
    longer in the vocabulary; a free-text label (oracle); a declared line changed (heading, header,
    section, totals label, measure name); a period statement naming another period. Else not."""
    data = bytearray(ctx.text.encode("utf-8"))
    offset = ctx.rng.randrange(len(data))
    table_at = ctx.pick(ctx.tables)
    if table_at and ctx.rng.random() < 0.6:  # most bytes of the file are prose: aim at a table more often
        start = len("\n".join(ctx.layout.lines[: table_at.heading - 1]).encode("utf-8"))
        end = len("\n".join(ctx.layout.lines[: table_at.last_line]).encode("utf-8"))
        offset = ctx.rng.randrange(start, end)
    old = data[offset]
    data[offset] = ctx.rng.choice([b for b in range(256) if b != old])
    new_byte = data[offset]
    description = f"byte {offset}: 0x{old:02x} → 0x{new_byte:02x}"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return mutant(description, bytes(data), True, "ya no es UTF-8", needs_line=True)
    number = data[:offset].count(b"\n") + 1
    table = _in_table(ctx, number)
    description += f" (línea {number})"
    if b"\n" in bytes([old, new_byte]) or b"\r" in bytes([old, new_byte]):
        return mutant(description, bytes(data), table is not None, "salto de línea dentro de un cuadro")
    line, new = ctx.line(number), text.split("\n")[number - 1]
    damaged = table is not None or new_byte < 0x20 or new_byte == 0x7F  # a refusal must then say where
    if clean(line) == clean(new):
        return mutant(description, bytes(data), False, "solo cambia el espaciado", needs_line=damaged)
    caught, why = _line_verdict(ctx, number, line, new)
    return mutant(description, bytes(data), caught, why, needs_line=damaged)


def _line_verdict(ctx: Context, number: int, line: str, new: str) -> tuple[bool, str]:
    """Catchable? and why, for line `number` reading `new` instead of `line` (same line count)."""
    if number in ctx.layout.period_lines:
        before = [m.group(1, 3, 5) for m in PERIOD.finditer(line)]
        after = [m.group(1, 3, 5) for m in PERIOD.finditer(new)]
        if before != after:
            return bool(after) and after != before[: len(after)], "una mención del período cambia"
    for table in ctx.tables:
        if number == table.heading:
            return not clean(new).startswith(table.spec.heading), "el encabezado declarado"
        if number == table.header_end:
            return True, "la última línea del encabezado declarada"
        if number in table.groups:
            return True, "una sección declarada"
        if table.totals and number == table.totals.line:
            if not clean(new).startswith(table.totals.label):
                return True, "el rótulo de los totales"
            return _cells_verdict(ctx, table, table.totals, line, new)
    found = ctx.layout.row_at(number)
    if not found:
        return False, "texto que ninguna cifra publicada usa"
    table, row = found
    if number == row.line and table.spec.layout != "pattern":
        return _cells_verdict(ctx, table, row, line, new)
    return relabel(ctx, table, row, printed_label(ctx, table, row, {number: new}))


def _cells_verdict(ctx: Context, table: TableAt, printed: Printed, line: str, new: str) -> tuple[bool, str]:
    """A line ending in figures: its figures changed (oracle, or no longer figures) or its label."""
    words, changed = [w[0] for w in tokens(line)], [w[0] for w in tokens(new)]
    k = len(printed.cells)
    if changed[len(changed) - k :] == words[len(words) - k :]:
        if printed is table.totals or table.spec.layout == "columns":
            return True, "el rótulo declarado de la línea cambia"
        return relabel(ctx, table, printed, printed_label(ctx, table, printed, {printed.line: new}))
    if len(words) != len(changed):
        return True, "la fila cambia de forma (cifras partidas o unidas)"
    edits = [(c, changed[c.token]) for c in printed.cells if changed[c.token] != c.text]
    if not all(NUMBER.match(text) for _, text in edits):
        return True, "una cifra deja de ser una cifra"
    caught, why, _ = ctx.cells_change(table, edits)
    return caught, why
