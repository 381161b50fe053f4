"""A byte-for-byte reproducible zip of a package's listed files.

The zip's sha256 is what tells the publisher whether the portal's copy is
current, so the same files must always give the same bytes: fixed entry
order, timestamps, permissions and compression level, nothing from the clock.
Which files go in is the caller's list (the descriptor's, see
`local.CheckedPackage.zip_members`), never a walk of the folder: a stray or
symlinked file lying in the folder cannot end up published.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path

from pipelines.publish.safety import check_relative, open_file

# The earliest date a zip entry can carry; any fixed date would do.
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
COMPRESS_LEVEL = 9


def build_zip(source_dir: Path, members: Sequence[str], target: Path) -> Path:
    """Write `target` with `members` (paths relative to `source_dir`) at the zip's root, as frictionless reads it.

    Members are opened without following symlinks (`safety.open_file`), whatever folder they come from.
    """
    names = sorted({check_relative(m, "zip") for m in members})
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as archive:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever machine builds it
            info.external_attr = (0o100644 & 0xFFFF) << 16
            with open_file(source_dir, name, "zip") as handle:
                data = handle.read()
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL)
    return target
