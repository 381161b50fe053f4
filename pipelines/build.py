"""One report file → one validated package folder, or nothing at all.

Everything is written to a scratch folder beside the target, validated, and
only then swapped into place, so a bad report never leaves half a package.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipelines.errors import ReportError
from pipelines.graph import write_graph
from pipelines.package.docs import readme
from pipelines.package.schema import descriptor
from pipelines.package.validate import validate_package
from pipelines.package.write import write_descriptor, write_tables
from pipelines.report.text import load_report
from pipelines.tables.model import ParsedReport
from pipelines.tables.parse import parse_report


@dataclass(frozen=True)
class BuildResult:
    package_dir: Path
    parsed: ParsedReport


def write_package(parsed: ParsedReport, out_dir: Path) -> Path:
    """Write, validate and swap in `out_dir/<package name>/`; returns that folder."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / parsed.package_name
    scratch = Path(tempfile.mkdtemp(prefix=f".{parsed.package_name}-", dir=out_dir))
    try:
        write_tables(parsed, scratch)
        extra = write_graph(parsed, scratch)
        package = descriptor(parsed, extra)
        write_descriptor(scratch, package)
        (scratch / "README.md").write_text(readme(parsed, package), encoding="utf-8")
        validate_package(scratch, parsed.report.filename)
        os.chmod(scratch, 0o755)
        _swap(scratch, target)
    except ReportError as error:
        raise error.naming(parsed.report.filename) from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def _swap(new: Path, target: Path) -> None:
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def build_report(report_path: Path, out_dir: Path) -> BuildResult:
    """Parse one report and write its package."""
    parsed = parse_report(load_report(report_path))
    return BuildResult(write_package(parsed, out_dir), parsed)
