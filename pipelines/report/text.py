"""Load a report's extracted text, refusing input that is not a report."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from pipelines.errors import ReportError


@dataclass(frozen=True)
class ReportText:
    """The report as lines, plus what provenance needs (file name and hash)."""

    path: Path
    lines: tuple[str, ...]
    sha256: str

    @property
    def filename(self) -> str:
        return self.path.name

    def line(self, number: int) -> str:
        """Line by its 1-based number, as error messages cite it."""
        return self.lines[number - 1]


def load_report(path: Path | str) -> ReportText:
    """Read a report text file; empty or non-UTF-8 files are errors, not crashes."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReportError(f"no se puede leer el archivo: {exc.strerror}", report=path.name) from None
    if not raw.strip():
        raise ReportError("el archivo está vacío", report=path.name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ReportError(
            "el archivo no está en UTF-8 (byte inválido); exporte el texto del PDF como UTF-8",
            report=path.name,
            line=line,
        ) from None
    lines = tuple(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return ReportText(path=path, lines=lines, sha256=hashlib.sha256(raw).hexdigest())
