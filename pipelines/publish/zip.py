"""A byte-for-byte reproducible zip of a package folder.

The zip's sha256 is what tells the publisher whether the portal's copy is
current, so the same folder must always give the same bytes: fixed entry
order, timestamps, permissions and compression level, nothing from the clock.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

# The earliest date a zip entry can carry; any fixed date would do.
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
COMPRESS_LEVEL = 9


def package_files(package_dir: Path) -> list[Path]:
    """Every regular file of the package, sorted; hidden files and folders (scratch, locks) are left out."""
    files = []
    for path in package_dir.rglob("*"):
        rel = path.relative_to(package_dir)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        files.append(path)
    return sorted(files, key=lambda p: p.relative_to(package_dir).as_posix())


def build_zip(package_dir: Path, target: Path) -> Path:
    """Write `target` with the package's files at the zip's root (as frictionless reads it)."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as archive:
        for path in package_files(package_dir):
            info = zipfile.ZipInfo(path.relative_to(package_dir).as_posix(), date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever machine builds it
            info.external_attr = (0o100644 & 0xFFFF) << 16
            archive.writestr(info, path.read_bytes(), compress_type=zipfile.ZIP_DEFLATED,
                             compresslevel=COMPRESS_LEVEL)
    return target
