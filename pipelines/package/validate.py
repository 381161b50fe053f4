"""Refuse to write a package that Frictionless finds invalid.

Frictionless stays the validator of record (Data Package v2 profile, types,
constraints, primary and foreign keys of every resource). A package the
build wrote is first judged by `gate` (Frictionless' profile and cell readers,
each Table Schema compiled once per process: ~10 ms instead of ~95 ms); when
that path finds a problem, or meets something it does not check,
`frictionless.validate` judges the package and words the refusal. One thing is set
here: a file whose descriptor entry names no encoding (calidad.json) is read
as UTF-8, which is what the Data Package spec says an undeclared encoding is
and what the build writes. Left alone, Frictionless would guess it with
chardet: ~50 ms on the first package of a process (a third of a one-report
build's validation) and ~10 ms on every later one, and a guess can only be
more lenient than UTF-8 (bytes that are not UTF-8 would be read as Latin-1).
"""

from __future__ import annotations

from pathlib import Path

from frictionless import Detector, validate

from pipelines.errors import InvalidPackage
from pipelines.package.gate import judge

UTF8 = Detector(encoding_function=lambda sample: "utf-8")


def validate_package(folder: Path, report_name: str) -> None:
    """Types, constraints, primary and foreign keys of every resource."""
    verdict = judge(folder)
    if verdict:
        return
    result = validate(str(folder / "datapackage.json"), detector=UTF8)
    if result.valid and verdict is None:
        return
    if result.valid:  # the fast path refused what Frictionless accepts: a bug of ours, never a pass
        raise InvalidPackage(
            "el paquete no es válido según la comprobación rápida y sí según Frictionless; "
            "no se publica hasta aclararlo (pipelines/package/gate.py)",
            report=report_name,
        )
    problems = []
    for task in result.tasks:
        for error in task.errors[:3]:
            row = getattr(error, "row_number", None)
            where = f" fila {row}" if row else ""
            problems.append(f"{task.name}{where}: {error.message}")
    first = next((t.name for t in result.tasks if not t.valid), None)
    raise InvalidPackage("el paquete no es válido: " + "; ".join(problems[:5]), table=first, report=report_name)
