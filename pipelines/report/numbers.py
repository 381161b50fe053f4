"""Numbers as the PDF prints them: `Q` prefix, thousands commas, `%`, bare `0`."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

NUMBER = re.compile(r"^Q?\.?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?$")
"""A numeric cell token. `Q.556,879.50` style appears in prose, `Q32,595,100.00` in tables."""

HAS_DIGIT = re.compile(r"\d")


def is_number(token: str) -> bool:
    return bool(NUMBER.match(token))


def parse_number(token: str) -> Decimal:
    """Turn a printed cell into an exact Decimal (never a float)."""
    if not is_number(token):
        raise ValueError(token)
    cleaned = token.removeprefix("Q").removeprefix(".").removesuffix("%").replace(",", "")
    return Decimal(cleaned)


def decimals_of(token: str) -> int:
    """How many decimals a printed value has; `23.33%` → 2, `0` → 0."""
    body = token.removesuffix("%")
    return len(body.split(".")[1]) if "." in body.removeprefix("Q.") else 0


def split_trailing_numbers(text: str, limit: int) -> tuple[str, list[str]]:
    """Split a row into its label and up to `limit` numeric cells at its end.

    Labels may contain numbers themselves ("Niños de 0 a 6 años"), so only the
    unbroken run of numeric tokens at the end counts as cells.
    """
    tokens = text.split()
    cells: list[str] = []
    while tokens and len(cells) < limit and is_number(tokens[-1]):
        cells.insert(0, tokens.pop())
        if tokens and tokens[-1] == "Q" and not cells[0].startswith("Q"):
            cells[0] = tokens.pop() + cells[0]  # "Q 32,595,100.00": the currency sign set apart by a space
    return " ".join(tokens), cells


def quantize(value: Decimal, decimals: int) -> Decimal:
    """Round half up, the way spreadsheets round the percentages in the report."""
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
