"""What a row's label may be: words, not figures; a name the series knows; said once.

A PDF's text can glue a stray line onto the next row's label, merge two rows
onto one line, or repeat a row. Each of those would publish a figure under a
wrong or invented name, so each is refused here, naming the line.
"""

from __future__ import annotations

import difflib
import re

from pipelines.errors import ReportError
from pipelines.report.departments import normalize
from pipelines.report.numbers import HAS_DIGIT, is_number
from pipelines.specs.model import TableSpec

DATE_TOKEN = re.compile(r"^\d{1,2}[-/]\d{1,2}[-/]\d{2,4}$")


def _is_figure(token: str) -> bool:
    return is_number(token) or bool(DATE_TOKEN.match(token))


def check_figures(spec: TableSpec, label: str, line: int, report: str) -> None:
    """Two figures in a row inside a label are another row's cells ("… 7,744 411 5.31 …")."""
    tokens = label.split()
    for first, second in zip(tokens, tokens[1:]):
        if _is_figure(first) and _is_figure(second):
            last = tokens[-1]
            if HAS_DIGIT.search(last) and not _is_figure(last):  # "Jutiapa 8 4 1l 298": the cells stop at «1l»
                raise ReportError(f"«{last}» no es un número", table=spec.name, line=line, report=report)
            raise ReportError(
                f"el texto «{label}» contiene cifras seguidas («{first} {second}»): ¿sobran números en la "
                "fila, o hay dos filas unidas en una línea?",
                table=spec.name,
                line=line,
                report=report,
            )


def known_label(spec: TableSpec, label: str, line: int, report: str, first_line: int | None = None) -> str:
    """The series' spelling of a printed label; an unknown one is refused with the closest known."""
    if not spec.known_labels:
        return label
    index = {normalize(known): known for known in spec.known_labels}
    found = index.get(normalize(label))
    if found is not None:
        return found
    close = difflib.get_close_matches(normalize(label), list(index), n=2, cutoff=0.6)
    hint = "; ¿quiso decir " + " o ".join(f"«{index[c]}»" for c in close) + "?" if close else ""
    joined = f" (texto unido desde la línea {first_line})" if first_line and first_line != line else ""
    raise ReportError(
        f"«{label}»{joined} no es ninguna de las {len(index)} etiquetas conocidas del cuadro{hint} Si es nueva, "
        f"agréguela a known_labels en la descripción del cuadro.",
        table=spec.name,
        line=first_line or line,
        report=report,
    )


class DuplicateRows:
    """Refuses a row whose key an earlier row of the table already had."""

    def __init__(self, spec: TableSpec, report: str) -> None:
        self.spec = spec
        self.report = report
        self.seen: dict[tuple[object, ...], int] = {}

    def add(self, key: tuple[object, ...], label: str, line: int) -> None:
        earlier = self.seen.get(key)
        if earlier is not None:
            raise ReportError(
                f"la fila «{label}» está repetida (ya aparece en la línea {earlier})",
                table=self.spec.name,
                line=line,
                report=self.report,
            )
        self.seen[key] = line


def row_key(spec: TableSpec, fixed: dict[str, object], label: str, group: object, heads: bool) -> tuple[object, ...]:
    """The primary key when the fixed values hold it, else the group, head-row flag and label."""
    if spec.primary_key and all(name in fixed for name in spec.primary_key):
        return tuple(fixed[name] for name in spec.primary_key)
    return (group, heads, normalize(label))
