"""A seeded generator of mutants of a report, aimed by the clean report's own structure.

`mutants(text, seed, per_kind)` parses `text` once, maps its tables (`layout`),
and draws up to `per_kind` distinct mutants of every kind below. The same text,
seed and `per_kind` give the same mutants, so a failure can be replayed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
from collections.abc import Callable

from tests.fuzz import kinds_figures as fig
from tests.fuzz import kinds_labels as lab
from tests.fuzz import kinds_lines as lin
from tests.fuzz import kinds_text as txt
from tests.fuzz.context import Context, Mutant
from tests.fuzz.layout import build_layout
from tests.fuzz.oracle import Oracle

__all__ = ["KINDS", "Mutant", "mutants"]

Kind = Callable[[Context], Mutant | None]

KINDS: dict[str, Kind] = {
    "digit-cell": fig.digit_cell,
    "digit-total": fig.digit_total,
    "date-year": fig.date_year,
    "row-deleted": fig.row_deleted,
    "row-duplicated": fig.row_duplicated,
    "rows-merged": lab.rows_merged,
    "cells-swapped": fig.cells_swapped,
    "cell-deleted": fig.cell_deleted,
    "cell-added": fig.cell_added,
    "target-zero": fig.target_zero,
    "one-figure-per-row": fig.one_figure_per_row,
    "short-rows-bad-totals": fig.short_rows_bad_totals,
    "label-mangled": lab.label_mangled,
    "garbage-before-label": lab.garbage_before_label,
    "garbage-line": lab.garbage_line,
    "line-deleted": lin.line_deleted,
    "period-mention": lin.period_mention,
    "random-byte": lin.random_byte,
    "truncated": lin.truncated,
    "crlf": txt.crlf,
    "cr": txt.cr,
    "bom": txt.bom,
    "nbsp": txt.nbsp,
    "tab": txt.tab,
    "thin-space": txt.thin_space,
    "zero-width": txt.zero_width,
    "control-byte": txt.control_byte,
    "dot-thousands": txt.dot_thousands,
    "no-q": txt.no_q,
    "q-space": txt.q_space,
    "dept-upper": txt.dept_upper,
    "dept-unaccented": txt.dept_unaccented,
    "percent-sign": txt.percent_sign,
    "minus-sign": txt.minus_sign,
    "heading-echo": txt.heading_echo,
}


def mutants(text: str, seed: int, per_kind: int, kinds: list[str] | None = None) -> list[Mutant]:
    """Up to `per_kind` distinct mutants of each kind (fewer when a kind has fewer variants)."""
    layout = build_layout(text)
    oracle = Oracle(layout.parsed, layout.lines)
    found: list[Mutant] = []
    for name in kinds or list(KINDS):
        # One generator per kind, seeded from the kind's name: adding a kind leaves the others' mutants alone.
        rng = random.Random(f"{seed}:{name}")
        ctx = Context(text, layout, oracle, rng)
        seen: set[bytes] = {hashlib.sha256(text.encode("utf-8")).digest()}
        attempts = 0
        while sum(m.kind == name for m in found) < per_kind and attempts < per_kind * 8:
            attempts += 1
            mutant = KINDS[name](ctx)
            if mutant is None:
                continue
            digest = hashlib.sha256(mutant.text).digest()
            if digest in seen:
                continue
            seen.add(digest)
            found.append(dataclasses.replace(mutant, kind=name))
    return found
