"""The package gate's fast path: Frictionless' own metadata profile and cell readers, without its orchestration.

`frictionless.validate` on a package spends ~90 % of its ~95 ms (bundled report,
measured in scripts/benchmark.py) on metadata, not data: every field of every
table is exported, validated against its JSON Schema and re-imported twice each
time a table is opened (header and cell handlers copy the fields), and each
table with a foreign key copies and re-reads the table it points to. Over a
backlog of thousands of reports of one series the Table Schemas are the same
every time.

So the build's gate does the same checks with Frictionless' parts, once each:
the descriptor is validated against the Data Package profile
(`Package.metadata_validate`); each distinct Table Schema is compiled once per
process by `Schema.from_descriptor` (which validates it) into Frictionless'
own cell readers (type, format, missing values, constraints); then each CSV is
read once: header equal to the field names, no blank row, no missing or extra
cell, every cell read without a note, primary key and `unique` fields without
duplicates, foreign keys found in the table they reference (read through its
own readers). Every other resource must be a readable file.

Anything this path does not know (a dialect, hash or bytes, another format or
encoding, inline data, a schema given by path) is not judged here: `judge`
answers None and the caller asks `frictionless.validate`, which also writes
the refusal's wording whenever this path finds a problem.
tests/package/test_gate.py holds the two to the same verdict on the bundled
package, the second series' package and a catalogue of broken ones.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from frictionless import FrictionlessException, Package, Schema

CellReader = Callable[[Any], tuple[Any, dict | None]]
UNJUDGED_KEYS = frozenset(
    {"dialect", "hash", "bytes", "data", "scheme", "compression", "innerpath", "extrapaths", "jsonSchema", "$schema"}
)
"""Resource properties this path does not check: a package using one goes to Frictionless whole."""


class Unjudged(Exception):
    """The package uses something this path does not check: Frictionless must judge it."""


@dataclass(frozen=True)
class CompiledSchema:
    names: tuple[str, ...]
    readers: tuple[CellReader, ...]
    primary_key: tuple[int, ...]
    unique: tuple[int, ...]
    foreign_keys: tuple[tuple[tuple[int, ...], str, tuple[str, ...]], ...]
    """(the table's key columns, the referenced resource, its key fields)."""


@lru_cache(maxsize=256)
def compiled(schema_json: str) -> CompiledSchema | None:
    """Frictionless' schema and readers for one Table Schema text; None when Frictionless finds it invalid."""
    try:
        schema = Schema.from_descriptor(json.loads(schema_json))
    except FrictionlessException:
        return None
    if schema.missing_values != [""] or any(not isinstance(f.name, str) for f in schema.fields):
        raise Unjudged("missingValues")
    names = tuple(f.name for f in schema.fields)
    column = {name: i for i, name in enumerate(names)}
    try:
        foreign = tuple(
            (tuple(column[n] for n in fk["fields"]), fk["reference"]["resource"], tuple(fk["reference"]["fields"]))
            for fk in schema.foreign_keys
        )
        primary = tuple(column[n] for n in schema.primary_key)
    except KeyError:
        return None  # a key naming no field: Frictionless' metadata check refuses it too
    return CompiledSchema(
        names=names,
        readers=tuple(f.create_cell_reader() for f in schema.fields),
        primary_key=primary,
        unique=tuple(i for i, f in enumerate(schema.fields) if f.constraints.get("unique")),
        foreign_keys=foreign,
    )


def judge(folder: Path) -> bool | None:
    """True: valid. False: invalid (Frictionless words why). None: not for this path to judge."""
    try:
        return _valid(folder)
    except (Unjudged, FrictionlessException):  # Frictionless' parts gave up: its validator decides
        return None


def _valid(folder: Path) -> bool:
    try:
        descriptor = json.loads((folder / "datapackage.json").read_bytes().decode("utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        return False
    if any(not isinstance(r, dict) for r in descriptor["resources"]):
        return False
    if any(k in UNJUDGED_KEYS for r in descriptor["resources"] for k in r):
        raise Unjudged("resource property")
    if list(Package.metadata_validate(descriptor)):
        return False
    resources = {r["name"]: r for r in descriptor["resources"]}
    tables: dict[str, tuple[CompiledSchema, list[tuple[Any, ...]]]] = {}
    for resource in descriptor["resources"]:
        path = _safe(folder, resource.get("path"))
        if resource.get("type") != "table":
            if not path.is_file():  # Frictionless opens such a file and reads nothing of it
                return False
            continue
        if resource.get("format") != "csv" or resource.get("encoding", "utf-8").lower() != "utf-8":
            raise Unjudged("format")
        if not isinstance(resource.get("schema"), dict):
            raise Unjudged("schema by path")
        schema = compiled(json.dumps(resource["schema"], sort_keys=True))
        rows = None if schema is None else _rows(path, schema)
        if rows is None:
            return False
        tables[resource["name"]] = (schema, rows)  # type: ignore[assignment]
    return all(_keys_hold(name, tables, resources) for name in tables)


def _safe(folder: Path, path: object) -> Path:
    """The resource's file, if its path is one Frictionless would open (relative, inside the package)."""
    if not isinstance(path, str) or not path:
        raise Unjudged("path")
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or "://" in path:
        raise Unjudged("path")
    return folder / path


def _rows(path: Path, schema: CompiledSchema) -> list[tuple[Any, ...]] | None:
    """Every row read by Frictionless' cell readers; None at the first cell or row it would refuse."""
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    lines: Iterator[list[str]] = csv.reader(io.StringIO(text, newline=""))
    if next(lines, None) != list(schema.names):
        return None
    width = len(schema.names)
    rows: list[tuple[Any, ...]] = []
    for cells in lines:
        if len(cells) != width or all(c == "" for c in cells):
            return None
        values = []
        for reader, cell in zip(schema.readers, cells):
            value, notes = reader(cell)
            if notes:
                return None
            values.append(value)
        rows.append(tuple(values))
    return rows


def _keys_hold(
    name: str, tables: dict[str, tuple[CompiledSchema, list[tuple[Any, ...]]]], resources: dict[str, dict]
) -> bool:
    schema, rows = tables[name]
    if schema.primary_key:
        seen: set[tuple[Any, ...]] = set()
        for row in rows:
            cells = tuple(row[i] for i in schema.primary_key)
            if set(cells) == {None} or cells in seen:
                return False
            seen.add(cells)
    for column in schema.unique:
        values = [row[column] for row in rows if row[column] is not None]
        if len(set(values)) != len(values):
            return False
    for target, source, source_fields in schema.foreign_keys:
        source = source or name
        if source not in tables:
            if source in resources:
                raise Unjudged("foreign key to a non-table resource")
            return False
        source_schema, source_rows = tables[source]
        try:
            source_columns = [source_schema.names.index(f) for f in source_fields]
        except ValueError:
            return False
        lookup = {tuple(r[i] for i in source_columns) for r in source_rows}
        for row in rows:
            cells = tuple(row[i] for i in target)
            if set(cells) != {None} and cells not in lookup:
                return False
    return True
