"""Checks that keep a hostile package folder from steering the publisher outside it.

A package folder is input: its descriptor may name a file `../../secreto`, a
resource may be a symlink to a key file, the package name ends up in a file
name (`<name>.zip`). Everything the publisher reads from the folder goes
through here, so the rules live in one place:

- names (package, resources) follow the Frictionless pattern: lowercase
  letters, digits, `-`, `_`, `.`, starting with a letter or digit, no `..`;
- a file path is relative, POSIX, without `..`, hidden parts or backslashes;
- no part of it is a symlink, and it is a regular file (checked with `lstat`
  first, for a clear message, and again when opening: every component is
  opened relative to its parent with O_NOFOLLOW, so a file swapped for a
  symlink after the check is refused too, never followed).

Failures are `PackageError`s: one Spanish line, printed by the CLI as `error: …`.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from pipelines.publish.errors import PackageError

NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]*")
NAME_RULE = "solo minúsculas, dígitos, «-», «_» y «.», empezando por letra o dígito, sin «..» ni «/»"
MAX_NAME = 100  # CKAN's limit for dataset names; longer ones the portal would refuse anyway


def show(value: Any) -> str:
    """A value from the package for an error message: quoted, escaped, short, always one line."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:79] + "…"


def check_name(value: Any, what: str) -> str:
    """`value` if it is a safe Frictionless name; `what` says whose name it is (e.g. "del paquete")."""
    if not isinstance(value, str) or not NAME_PATTERN.fullmatch(value) or ".." in value or len(value) > MAX_NAME:
        raise PackageError(f"el nombre {what} {show(value)} no es válido: {NAME_RULE} (máximo {MAX_NAME})")
    return value


def check_relative(value: Any, what: str) -> str:
    """The normalised POSIX form of a path the descriptor gives, if it stays inside the package by its text."""
    if not isinstance(value, str) or not value:
        raise PackageError(f"{what}: la ruta {show(value)} no es una ruta de archivo")
    why = None
    pure = PurePosixPath(value)
    if pure.is_absolute():
        why = "es absoluta"
    elif "\\" in value or any(ord(c) < 32 for c in value):
        why = "tiene «\\» o caracteres de control"
    elif ".." in pure.parts:
        why = "contiene «..»"
    elif any(part.startswith(".") for part in pure.parts):
        why = "nombra un archivo o carpeta oculto"
    elif not pure.parts:
        why = "está vacía"
    if why:
        raise PackageError(f"{what}: la ruta {show(value)} {why}; se esperan rutas relativas dentro del paquete")
    return pure.as_posix()


def check_file(folder: Path, rel: str, what: str) -> None:
    """`rel` (already through check_relative) exists under `folder` as a regular file and no part is a symlink."""
    current = folder
    parts = PurePosixPath(rel).parts
    for number, part in enumerate(parts):
        current = current / part
        try:
            mode = current.lstat().st_mode
        except FileNotFoundError:
            raise PackageError(f"{what}: {rel} no existe en el paquete") from None
        except OSError as error:
            raise PackageError(f"{what}: no se puede examinar {rel} ({error.strerror})") from None
        if stat.S_ISLNK(mode):
            raise PackageError(
                f"{what}: {rel} es o pasa por un enlace simbólico ({'/'.join(parts[: number + 1])}); "
                "no se siguen enlaces: copie el archivo dentro del paquete"
            )
        last = number == len(parts) - 1
        if last and not stat.S_ISREG(mode):
            raise PackageError(f"{what}: {rel} no es un archivo normal")
        if not last and not stat.S_ISDIR(mode):
            raise PackageError(f"{what}: {rel} no existe en el paquete")
    if folder not in current.resolve().parents:  # cannot happen after the checks above; kept as a last guard
        raise PackageError(f"{what}: {rel} queda fuera del paquete")


def open_file(folder: Path, rel: str, what: str) -> BinaryIO:
    """Open `folder/rel` for reading without following any symlink on the way (openat, O_NOFOLLOW)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    parts = PurePosixPath(check_relative(rel, what)).parts
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        for part in parts[:-1]:
            next_fd = os.open(part, flags | getattr(os, "O_DIRECTORY", 0), dir_fd=fd)
            os.close(fd)
            fd = next_fd
        file_fd = os.open(parts[-1], flags, dir_fd=fd)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENOTDIR):  # O_NOFOLLOW met a symlink (swapped in after check_file)
            raise PackageError(f"{what}: {rel} es o pasa por un enlace simbólico; no se siguen enlaces") from None
        raise PackageError(f"{what}: no se puede abrir {rel} ({error.strerror})") from None
    finally:
        os.close(fd)
    if not stat.S_ISREG(os.fstat(file_fd).st_mode):
        os.close(file_fd)
        raise PackageError(f"{what}: {rel} no es un archivo normal")
    return os.fdopen(file_fd, "rb")
