"""One report file → one validated package folder, or nothing at all.

Everything is written to a scratch folder beside the target, validated, and
only then swapped into place, so a bad report never leaves half a package.
Scratch and replaced folders carry the builder's process id: a build that was
killed leaves them behind, and the next build in the same folder removes them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pipelines.errors import OutputError, ReportError
from pipelines.graph import write_graph
from pipelines.graph.write import graph_resources
from pipelines.package.docs import readme
from pipelines.package.schema import descriptor
from pipelines.package.validate import validate_package
from pipelines.package.write import write_descriptor, write_tables
from pipelines.report.text import load_report
from pipelines.settings import BuildOptions
from pipelines.tables.model import ParsedReport
from pipelines.tables.parse import parse_report

LEFTOVER = re.compile(r"^\..+\.(?:tmp|old)-(?P<pid>\d+)-\w+$")
"""`.<package>.tmp-<pid>-<random>` (being written) and `.<package>.old-<pid>-<random>` (being replaced)."""


@dataclass(frozen=True)
class BuildResult:
    package_dir: Path
    parsed: ParsedReport


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_leftovers(out_dir: Path) -> None:
    """Remove what killed builds left in `out_dir` (their process is gone); best effort."""
    try:
        # Only hidden names can be leftovers: a backlog's folder holds thousands of packages, and every
        # build looks, so the cheap test comes first.
        names = [name for name in os.listdir(out_dir) if name.startswith(".")]
    except OSError:
        return
    for name in names:
        found = LEFTOVER.match(name)
        if found and int(found["pid"]) != os.getpid() and not _alive(int(found["pid"])):
            shutil.rmtree(out_dir / name, ignore_errors=True)


def _source_of(package_dir: Path) -> str | None:
    """The report file an existing package was built from, or None if it is not one of ours."""
    try:
        sources = json.loads((package_dir / "datapackage.json").read_text(encoding="utf-8"))["sources"]
        return str(sources[0]["title"])
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return None


def _guard_replacement(parsed: ParsedReport, target: Path, replace: bool) -> None:
    """A build replaces its own report's package, never another report's (or a foreign folder)."""
    if replace or not target.exists():
        return
    source = _source_of(target)
    if source == parsed.report.filename:
        return
    other = f"se construyó desde «{source}»" if source else "no es un paquete de este programa"
    raise ReportError(
        f"el paquete {target.name} ({parsed.period.label}) ya existe y {other}; no se reemplaza. Si este informe lo "
        "sustituye, vuelva a construir con --replace",
        report=parsed.report.filename,
    )


def write_package(parsed: ParsedReport, out_dir: Path, replace: bool = False, base_iri: str | None = None) -> Path:
    """Write, validate and swap in `out_dir/<package name>/`; returns that folder."""
    target = out_dir / parsed.package_name
    scratch: Path | None = None
    try:
        _guard_replacement(parsed, target, replace)
        _make_folder(out_dir)
        clean_leftovers(out_dir)
        with _uninterrupted():  # an interrupt lands once `scratch` is known, so `finally` removes it
            scratch = Path(tempfile.mkdtemp(prefix=f".{parsed.package_name}.tmp-{os.getpid()}-", dir=out_dir))
        write_tables(parsed, scratch)
        package = descriptor(parsed, graph_resources(parsed))
        write_graph(parsed, scratch, base_iri, package)
        write_descriptor(scratch, package)
        (scratch / "README.md").write_text(readme(parsed, package), encoding="utf-8")
        validate_package(scratch, parsed.report.filename)
        os.chmod(scratch, 0o755)
        _swap(scratch, target)
    except ReportError as error:
        raise error.naming(parsed.report.filename) from None
    except OSError as error:
        raise OutputError.from_os(out_dir, error, parsed.report.filename) from None
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    return target


def _make_folder(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(out_dir, "existe y no es una carpeta")
    out_dir.mkdir(parents=True, exist_ok=True)


@contextmanager
def _uninterrupted() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM for the two renames, so a package is never left half swapped."""
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _swap(new: Path, target: Path) -> None:
    old = target.with_name(f".{target.name}.old-{os.getpid()}-{new.name.rsplit('-', 1)[-1]}")
    with _uninterrupted():  # the replaced package goes too: an interrupt leaves either state, never both
        if target.exists():
            target.rename(old)
        new.rename(target)
        shutil.rmtree(old, ignore_errors=True)


def build_report(report_path: Path, options: BuildOptions | Path) -> BuildResult:
    """Parse one report (matched to its series in `options.specs`) and write its package."""
    options = options if isinstance(options, BuildOptions) else BuildOptions(out_dir=options)
    parsed = parse_report(load_report(report_path), specs=options.specs)
    return BuildResult(write_package(parsed, options.out_dir, options.replace, options.base_iri), parsed)
