"""Load a report's extracted text, refusing input that is not a report.

Text extracted from PDFs carries invisible debris: byte-order marks, zero-width
spaces, soft hyphens (Unicode "format" characters) are dropped, since they never
carry a figure; raw control bytes mean the file is damaged and are refused with
their line, rather than ending up inside a published label.

A `.pdf` report is read within the same size limit and its text extracted by
`pipelines.report.pdf` (bounded in time and memory); its hash stays the hash of
the PDF's bytes, the file the institution published, and the extractor and its
version travel with the text for the package's provenance.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pipelines.errors import ReportError
from pipelines.report.pdf import PDF_MAGIC, Extractor, extract_text

REPORT_SUFFIXES = (".txt", ".pdf")
"""What a report file may be: the text extracted from the PDF, or the PDF itself."""

MAX_BYTES = 16 * 1024 * 1024
"""A report's text is tens of kilobytes; anything this large is not one (and would be read whole).
The same limit applies to a PDF file and to the text extracted from it."""

ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")
"""Whitespace controls pdftotext writes (tab, page break); every other control byte is damage."""


@dataclass(frozen=True)
class ReportText:
    """The report as lines, plus what provenance needs (file name, hash, and for a PDF its extractor)."""

    path: Path
    lines: tuple[str, ...]
    sha256: str
    """Of the file as read: the text file, or the PDF's bytes (never the text extracted from it)."""
    extractor: Extractor | None = None
    """For a PDF, the program and version that extracted its text; None for a text report."""

    @property
    def filename(self) -> str:
        return self.path.name

    def line(self, number: int) -> str:
        """Line by its 1-based number, as error messages cite it."""
        return self.lines[number - 1]


def _read(path: Path) -> bytes:
    """At most MAX_BYTES + 1 bytes: a huge file or a device never gets read whole."""
    try:
        if not path.is_file():
            why = "es una carpeta" if path.is_dir() else "no existe o no es un archivo regular"
            raise ReportError(f"no se puede leer el informe: {why}", report=path.name)
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ReportError(f"no se puede leer el archivo: {exc.strerror or exc}", report=path.name) from None
    if len(raw) > MAX_BYTES:
        raise ReportError(
            f"el archivo pesa más de {MAX_BYTES // (1024 * 1024)} MB: no es el texto de un informe", report=path.name
        )
    return raw


def _clean_line(line: str, number: int, report: str) -> str:
    """The line without format characters; a control character is an error naming the line."""
    if line.isprintable():
        return line
    kept = []
    for char in line:
        category = unicodedata.category(char)
        if category == "Cf":
            continue  # zero-width space, BOM, soft hyphen: invisible, never part of a figure
        if category == "Cc" and char not in ALLOWED_CONTROLS:
            raise ReportError(
                f"carácter de control U+{ord(char):04X} en el texto: el archivo está dañado; vuelva a extraer el texto "
                "del PDF",
                line=number,
                report=report,
            )
        kept.append(char)
    return "".join(kept)


def load_report(path: Path | str) -> ReportText:
    """Read a report (text or PDF); empty, huge, damaged or non-UTF-8 files are errors, not crashes."""
    path = Path(path)
    raw = _read(path)
    if not raw.strip():
        raise ReportError("el archivo está vacío", report=path.name)
    extractor = None
    if path.suffix.lower() == ".pdf":
        text, extractor = extract_text(raw, path.name, max_text=MAX_BYTES)
    elif raw.startswith(PDF_MAGIC):
        raise ReportError(
            "el archivo es un PDF con otra extensión; cámbiela a .pdf para extraer su texto", report=path.name
        )
    else:
        text = _decode(raw, path.name)
    split = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = tuple(_clean_line(line, number, path.name) for number, line in enumerate(split, start=1))
    return ReportText(path=path, lines=lines, sha256=hashlib.sha256(raw).hexdigest(), extractor=extractor)


def _decode(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ReportError(
            "el archivo no está en UTF-8 (byte inválido); exporte el texto del PDF como UTF-8",
            report=name,
            line=line,
        ) from None
