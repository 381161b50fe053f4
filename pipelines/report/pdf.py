"""A report PDF's text, extracted by poppler's `pdftotext -layout` in a bounded child process.

Why `pdftotext -layout`: measured on a PDF whose tables are positioned cells
(zero cells left empty), built from the bundled report's text, it gives back
every table row as one line (label, then figures), every non-blank line of the
bundled text in order, and its paragraph breaks as blank lines (357 of 358), so
the tables' "Fuente" lines end where the bundled text's do; it is also the
fastest and runs as its own process, which is what lets us bound it. pypdf's
and pdfplumber's layout modes give the same package too but keep fewer
paragraph breaks (347 and 281); plain pdfplumber and `pdftotext -raw` drop them
(a "Fuente" line then swallows the prose after it); pdftotext's default mode,
pypdf, pdfminer.six and PyMuPDF put each cell on its own line. Known limit:
`-layout` sets text boxes printed side by side on shared lines, as on the page.

Why a child process with limits: a PDF is a program-like format; a hostile or
broken file must not hang the build or eat the machine. The extractor runs
under a wall-clock timeout, a CPU-time limit, an address-space limit and a
limit on the size of the text it writes (the same MAX_BYTES as a text report),
and every failure is one `ReportError` line naming the file.
"""

from __future__ import annotations

import functools
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipelines.errors import ReportError

PDFTOTEXT = "pdftotext"
"""The extractor's command (Debian package `poppler-utils`, installed by `make setup`)."""
PACKAGE = "poppler-utils"
OPTIONS = ("-layout", "-enc", "UTF-8")
TIMEOUT_SECONDS = 5.0
"""A report of a few dozen pages takes well under a second (13 ms measured); a build has 10 s in all."""
MEMORY_BYTES = 512 * 1024 * 1024
"""Address-space limit of the extractor process."""
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
"""Control characters other than tab, line and page breaks (what text.py would refuse as damage)."""
PDF_MAGIC = b"%PDF-"
MAGIC_WINDOW = 1024
"""PDF readers accept the `%PDF-` header anywhere in the first kilobyte."""

LIMITER = (
    "import os, resource, sys\n"
    "memory, cpu, fsize = (int(v) for v in sys.argv[1:4])\n"
    "resource.setrlimit(resource.RLIMIT_AS, (memory, memory))\n"
    "resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))\n"
    "resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))\n"
    "resource.setrlimit(resource.RLIMIT_CORE, (0, 0))\n"
    "try:\n"
    "    os.execv(sys.argv[4], sys.argv[4:])\n"
    "except OSError as exc:\n"
    "    sys.stderr.write(f'exec: {exc}\\n')\n"
    "    sys.exit(127)\n"
)
"""Run in a fresh interpreter that sets the limits and then becomes the extractor (no preexec_fn,
which is unsafe when the caller has threads, as Dagster's daemon does)."""


@dataclass(frozen=True)
class Extractor:
    """The program that turned the PDF into text: provenance for the package and the graph."""

    program: str
    package: str
    version: str
    options: tuple[str, ...]

    @property
    def command(self) -> str:
        return " ".join((self.program, *self.options))


@dataclass(frozen=True)
class _Run:
    returncode: int
    stdout: bytes
    stderr: str


def _run_bounded(argv: list[str], *, workdir: Path, max_output: int, timeout: float) -> _Run:
    """Run `argv` under the limits; stdout and stderr go to files capped at `max_output` bytes."""
    out_path, err_path = workdir / "salida", workdir / "errores"
    limits = [str(MEMORY_BYTES), str(int(timeout) + 1), str(max_output + 1)]
    with out_path.open("wb") as out, err_path.open("wb") as err:
        completed = subprocess.run(
            [sys.executable, "-I", "-S", "-c", LIMITER, *limits, *argv],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            timeout=timeout,
            cwd=workdir,
            check=False,
        )
    with err_path.open("rb") as handle:
        stderr = handle.read(4096).decode("utf-8", "replace")
    with out_path.open("rb") as handle:
        stdout = handle.read(max_output + 1)
    return _Run(completed.returncode, stdout, stderr)


def _executable(name: str) -> str:
    found = shutil.which(PDFTOTEXT)
    if not found:
        raise ReportError(
            f"no está instalado {PDFTOTEXT} (paquete {PACKAGE} de Debian), necesario para leer "
            "informes PDF; ejecute make setup",
            report=name,
        )
    return found


def _version(executable: str) -> str:
    """The installed extractor's version, asked once per binary (an upgrade changes its mtime)."""
    try:
        stamp = Path(executable).stat().st_mtime_ns
    except OSError:
        stamp = 0
    return _asked_version(executable, stamp)


@functools.lru_cache(maxsize=8)
def _asked_version(executable: str, stamp: int) -> str:
    """`pdftotext -v` says "pdftotext version 22.12.0" on stderr."""
    with tempfile.TemporaryDirectory(prefix="rendicion-pdf-") as scratch:
        try:
            run = _run_bounded([executable, "-v"], workdir=Path(scratch), max_output=65536, timeout=10)
        except subprocess.TimeoutExpired:
            run = _Run(-1, b"", "")
    found = re.search(r"version\s+(\S+)", run.stderr + run.stdout.decode("utf-8", "replace"))
    if not found:
        raise ReportError(
            f"{executable} no dice su versión («{_first_line(run.stderr)}»): no se puede registrar "
            "la procedencia del texto"
        )
    return found.group(1)


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit} bytes"


def _first_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return lines[0][:200] if lines else "sin mensaje"


def _failure(run: _Run, max_text: int, timeout: float) -> str:
    """Why the extractor failed, in Spanish, from its exit status and first error line."""
    said = run.stderr.lower()
    if run.returncode == 1 and "password" in said:
        return "el PDF está cifrado con contraseña; pida a la institución una copia sin contraseña"
    if run.returncode == 3 or "permission error" in said:
        return "el PDF no permite copiar su texto (permisos del documento)"
    if run.returncode == -signal.SIGXFSZ:
        return f"el texto del PDF pasa de {_size(max_text)}: no es un informe"
    if run.returncode == -signal.SIGXCPU:
        return f"la extracción del texto pasó de {int(timeout)} s de cálculo y se detuvo"
    if run.returncode < 0:
        name = signal.Signals(-run.returncode).name
        return f"{PDFTOTEXT} terminó por la señal {name} (¿PDF dañado o sin memoria?)"
    return f"{PDFTOTEXT} no pudo leer el PDF (código {run.returncode}: {_first_line(run.stderr)})"


def _check_text(text: str, name: str) -> None:
    """No text at all is a scan; raw control bytes are glyphs the PDF never mapped to letters."""
    if not text.replace("\f", "").strip():
        raise ReportError(
            "el PDF no contiene texto (¿es una imagen escaneada?); hace falta un PDF con texto, no una imagen",
            report=name,
        )
    bad = CONTROL.search(text)
    if bad:
        raise ReportError(
            f"el texto extraído del PDF trae el carácter de control U+{ord(bad.group()):04X}: sus fuentes no dicen "
            "qué letra es cada glifo; extraiga el texto con otra herramienta y construya desde el .txt",
            line=text.count("\n", 0, bad.start()) + 1,
            report=name,
        )


def extract_text(raw: bytes, name: str, *, max_text: int, timeout: float | None = None) -> tuple[str, Extractor]:
    """The text of a PDF given as bytes (already size-checked), and the extractor that produced it.

    The bytes hashed for provenance are the bytes extracted: they are written to a
    private scratch file, so a report replaced while the build runs cannot mix.
    """
    if PDF_MAGIC not in raw[:MAGIC_WINDOW]:
        raise ReportError(
            "no es un PDF (falta la cabecera %PDF-): ¿el archivo está dañado o tiene otra extensión?", report=name
        )
    timeout = TIMEOUT_SECONDS if timeout is None else timeout
    executable = _executable(name)
    try:
        extractor = Extractor(PDFTOTEXT, PACKAGE, _version(executable), OPTIONS)
    except ReportError as error:
        raise error.naming(name) from None
    try:
        with tempfile.TemporaryDirectory(prefix="rendicion-pdf-") as scratch:
            work = Path(scratch)
            (work / "informe.pdf").write_bytes(raw)
            run = _run_bounded(
                [executable, *OPTIONS, "informe.pdf", "-"], workdir=work, max_output=max_text, timeout=timeout
            )
    except subprocess.TimeoutExpired:
        raise ReportError(
            f"la extracción del texto del PDF pasó de {timeout:g} s y se detuvo; ¿PDF dañado?", report=name
        ) from None
    except OSError as exc:  # no room for the scratch copy, or the extractor could not be started
        raise ReportError(f"no se pudo extraer el texto con {PDFTOTEXT}: {exc.strerror or exc}", report=name) from None
    if len(run.stdout) > max_text:  # cut off by the file-size limit, whatever the exit status says
        raise ReportError(f"el texto del PDF pasa de {_size(max_text)}: no es un informe", report=name)
    if run.returncode != 0:
        raise ReportError(_failure(run, max_text, timeout), report=name)
    try:
        text = run.stdout.decode("utf-8")
    except UnicodeDecodeError:
        raise ReportError(f"{PDFTOTEXT} devolvió texto que no es UTF-8", report=name) from None
    _check_text(text, name)
    return text, extractor
