"""A package's CSV tables as DataStore tables: typed rows, fields with their data dictionary, the key.

Nothing is guessed: every column's DataStore type comes from its Table Schema type (integer → int,
number → numeric, string → text, date → date; any other type is refused), its label and notes from
the field's title, description and unit, the key from the schema's `primaryKey`. Every cell is checked
against its field before anything is sent: a CSV that disagrees with its schema (other header, a
number that is not one, an empty required cell, a value outside its constraints, a repeated key) is
refused with a `PackageError` naming the file, the row and the column, and the publication stops
before its first write, dry-run included.

A number field's decimal places (`decimales` in the Table Schema: how the report prints it) go in its
dictionary entry too (`info.decimales`): the portal's table view shows each figure with them.

Values travel as the CSV spells them (numbers as strings, so `23.20` stays 23.20 in PostgreSQL's
numeric; integers as ints; dates as ISO strings): the DataStore holds the CSV cell by cell.

The fingerprint of a table (CSV bytes, fields, key, loader version) is what the portal keeps in the
resource's `rendicion_datastore` field once the table is loaded: equal fingerprints, no reload.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pipelines.publish.errors import PackageError
from pipelines.publish.local import LocalFile, LocalPackage
from pipelines.specs.model import PERIOD_FIELD, ROW_FIELD

LOADER_VERSION = 1  # part of every fingerprint: a change in how tables are loaded reloads them all
TYPES = {"integer": "int", "number": "numeric", "string": "text", "date": "date"}
INTEGER = re.compile(r"[+-]?\d{1,19}")  # longer is out of the DataStore's range anyway (and of int()'s limit)
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,9})?")
INT_RANGE = (-(2**31), 2**31 - 1)
"""What the DataStore's `int` (PostgreSQL's integer) holds: a larger figure would fail in the middle of a load."""
NUMERIC_DIGITS = (16383, 131072)
"""PostgreSQL's numeric: at most this many digits after and before the point."""
MAX_TABLE_BYTES = 32 * 1024 * 1024
"""A table is loaded in one call (one transaction); a report's tables take kilobytes, this bounds a bad file."""


@dataclass(frozen=True)
class Table:
    """One CSV of the package, checked against its schema, ready for the DataStore."""

    key: str  # the resource key (`recurso:<name>`)
    name: str  # the package resource's name
    fields: tuple[dict[str, Any], ...]  # DataStore fields: id, type, info (label, notes)
    primary_key: tuple[str, ...]
    records: tuple[dict[str, Any], ...]  # in CSV order, values as the CSV spells them (ints for integers)
    fingerprint: str

    @property
    def field_ids(self) -> list[str]:
        return [f["id"] for f in self.fields]

    def key_of(self, record: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(record[k] for k in self.primary_key)


def fingerprint(payload: Any) -> str:
    text = json.dumps(
        {"cargador": LOADER_VERSION, "contenido": payload},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def notes(field: dict[str, Any]) -> str:
    """The dictionary's description of a column: the schema's description plus its unit, if any."""
    text = str(field.get("description") or "").strip()
    unit = field.get("unidad") or field.get("unit")
    if unit:
        text = f"{text} Unidad: {unit}." if text else f"Unidad: {unit}."
    return text


def datastore_fields(schema: dict[str, Any], what: str) -> list[dict[str, Any]]:
    out = []
    for field in schema.get("fields", []):
        name, kind = field.get("name"), field.get("type", "string")
        if not isinstance(name, str) or not name or name.startswith("_") or '"' in name or len(name) > 63:
            raise PackageError(
                f"{what}: el campo {json.dumps(name, ensure_ascii=False)} no puede ser una columna del "
                "DataStore (nombre vacío, que empieza por «_», con comillas o de más de 63 caracteres)"
            )
        if kind not in TYPES:
            raise PackageError(
                f"{what}: el campo «{name}» es de tipo «{kind}», que el publicador no carga en el "
                f"DataStore (admite {', '.join(TYPES)}); no se adivina otro tipo"
            )
        info: dict[str, Any] = {"label": str(field.get("title") or name), "notes": notes(field)}
        places = field.get("decimales")
        if kind == "number" and isinstance(places, int) and not isinstance(places, bool) and 0 <= places <= 20:
            info["decimales"] = places  # the figures' printed decimal places, for the table view
        out.append({"id": name, "type": TYPES[kind], "info": info})
    if not out:
        raise PackageError(f"{what}: el esquema no tiene campos")
    return out


def _cell(raw: str, field: dict[str, Any], missing: set[str], where: str) -> Any:
    """The value to send for one CSV cell, after checking it against its field; None when missing."""
    kind = field.get("type", "string")
    constraints = field.get("constraints") or {}
    if raw in missing:
        if constraints.get("required"):
            raise PackageError(f"{where}: celda vacía en un campo obligatorio")
        return None
    value: Any
    if "\x00" in raw:
        raise PackageError(f"{where}: la celda contiene un byte nulo, que PostgreSQL no puede guardar")
    if kind == "integer":
        if not INTEGER.fullmatch(raw):
            raise PackageError(f"{where}: «{_short(raw)}» no es un número entero")
        value = compared = int(raw)
        if not INT_RANGE[0] <= value <= INT_RANGE[1]:
            raise PackageError(
                f"{where}: {raw} no cabe en una columna entera del DataStore ({INT_RANGE[0]} a {INT_RANGE[1]})"
            )
    elif kind == "number":
        if not NUMBER.fullmatch(raw):
            raise PackageError(f"{where}: «{_short(raw)}» no es un número")
        try:
            compared = Decimal(raw)
        except InvalidOperation:
            raise PackageError(f"{where}: «{_short(raw)}» no es un número") from None
        exponent = compared.as_tuple().exponent
        assert isinstance(exponent, int)  # NUMBER admits no NaN nor Infinity
        if -exponent > NUMERIC_DIGITS[0] or compared.adjusted() >= NUMERIC_DIGITS[1]:
            raise PackageError(f"{where}: «{_short(raw)}» no cabe en una columna numérica del DataStore")
        value = raw  # as spelled: PostgreSQL's numeric keeps its digits
    elif kind == "date":
        try:
            compared = date.fromisoformat(raw)
        except ValueError:
            raise PackageError(f"{where}: «{_short(raw)}» no es una fecha AAAA-MM-DD") from None
        if len(raw) != 10:
            raise PackageError(f"{where}: «{_short(raw)}» no es una fecha AAAA-MM-DD")
        value = raw
    else:
        value = compared = raw
    for name, check in (("minimum", lambda c, v: c >= v), ("maximum", lambda c, v: c <= v)):
        if name in constraints and kind in ("integer", "number", "date"):
            bound = constraints[name]
            bound = date.fromisoformat(bound) if kind == "date" else Decimal(str(bound))
            if not check(compared, bound):
                raise PackageError(f"{where}: «{_short(raw)}» no cumple {name} = {constraints[name]}")
    if "enum" in constraints and value not in constraints["enum"] and compared not in constraints["enum"]:
        raise PackageError(f"{where}: «{_short(raw)}» no es uno de los valores admitidos")
    if "pattern" in constraints and kind == "string" and not re.fullmatch(constraints["pattern"], raw):
        raise PackageError(f"{where}: «{_short(raw)}» no sigue el patrón {constraints['pattern']}")
    for name, check in (("minLength", lambda n, v: n >= v), ("maxLength", lambda n, v: n <= v)):
        if name in constraints and kind == "string" and not check(len(raw), constraints[name]):
            raise PackageError(f"{where}: «{_short(raw)}» no cumple {name} = {constraints[name]}")
    return value


def _short(raw: str) -> str:
    """A cell as a one-line message shows it: a long one cut (a bad file may hold megabytes in a cell)."""
    return raw if len(raw) <= 40 else f"{raw[:37]}…"


def read_table(f: LocalFile) -> Table:
    """The CSV of `f` (a table resource of the snapshot) checked against its schema; PackageError if not."""
    resource = f.resource
    name = resource.get("name", f.upload_name)
    what = f"cuadro «{name}» ({f.upload_name})"
    schema = resource.get("schema")
    if not isinstance(schema, dict):
        raise PackageError(f"{what}: el esquema no es un objeto")
    fields = datastore_fields(schema, what)
    schema_fields = schema["fields"]
    names = [f["id"] for f in fields]
    if len(set(names)) != len(names):
        raise PackageError(f"{what}: el esquema repite un nombre de campo")
    pk = schema.get("primaryKey") or []
    pk = [pk] if isinstance(pk, str) else list(pk)
    unknown = [k for k in pk if k not in names]
    if unknown:
        raise PackageError(f"{what}: la clave primaria nombra campos que no existen: {', '.join(unknown)}")
    missing = set(schema.get("missingValues", [""]))
    encoding = str(resource.get("encoding") or "utf-8").lower()
    if encoding not in ("utf-8", "utf8"):
        raise PackageError(f"{what}: codificación «{encoding}» no admitida (se espera utf-8)")
    if f.size > MAX_TABLE_BYTES:
        raise PackageError(
            f"{what}: {f.size} bytes; el DataStore carga cada cuadro de una vez y el máximo es {MAX_TABLE_BYTES}"
        )
    try:
        text = f.path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise PackageError(f"{what}: no es UTF-8 válido ({error.reason} en el byte {error.start})") from None
    dialect = resource.get("dialect") or {}
    delimiter = dialect.get("delimiter", ",") if isinstance(dialect, dict) else ","
    rows = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(rows, None)
        if header != names:
            raise PackageError(f"{what}: la cabecera {header} no es la del esquema {names}")
        records: list[dict[str, Any]] = []
        seen_keys: dict[tuple[Any, ...], int] = {}
        unique = {f["name"]: {} for f in schema_fields if (f.get("constraints") or {}).get("unique")}
        for line, row in enumerate(rows, start=2):
            if not row:
                raise PackageError(f"{what}, línea {line}: fila vacía")
            if len(row) != len(names):
                raise PackageError(f"{what}, línea {line}: {len(row)} celdas; el esquema tiene {len(names)} campos")
            record = {}
            for raw, field in zip(row, schema_fields):
                record[field["name"]] = _cell(raw, field, missing, f"{what}, línea {line}, campo «{field['name']}»")
            for column, values in unique.items():
                if record[column] is not None and record[column] in values:
                    raise PackageError(
                        f"{what}, línea {line}: «{record[column]}» ya aparece en la línea "
                        f"{values[record[column]]} y el campo «{column}» es único"
                    )
                values[record[column]] = line
            if pk:
                key = tuple(record[k] for k in pk)
                if any(v is None for v in key):
                    raise PackageError(f"{what}, línea {line}: la clave primaria ({', '.join(pk)}) está vacía")
                if key in seen_keys:
                    raise PackageError(
                        f"{what}, línea {line}: la clave primaria {list(key)} repite la de la línea {seen_keys[key]}"
                    )
                seen_keys[key] = line
            records.append(record)
    except csv.Error as error:
        raise PackageError(f"{what}: CSV mal formado ({error})") from None
    return Table(
        f.key,
        name,
        tuple(fields),
        tuple(pk),
        tuple(records),
        fingerprint({"csv": f.sha256, "campos": fields, "clave": pk}),
    )


def read_tables(pkg: LocalPackage) -> dict[str, Table]:
    """Every CSV table of the package, checked (the first disagreement stops everything), by resource key."""
    return {f.key: read_table(f) for f in pkg.files if f.kind == "table"}


def series_fields(table: Table) -> list[dict[str, Any]]:
    """The series table's fields: the period first, the row position for tables without a key, then the table's."""
    head = [
        {
            "id": PERIOD_FIELD,
            "type": "text",
            "info": {
                "label": "Período",
                "notes": "Clave del período del informe (p. ej. 2021-C1: primer cuatrimestre de 2021).",
            },
        }
    ]
    if not table.primary_key:
        head.append(
            {
                "id": ROW_FIELD,
                "type": "int",
                "info": {
                    "label": "Fila",
                    "notes": "Posición de la fila en el cuadro del informe de ese período "
                    "(1 = la primera). El cuadro no tiene clave primaria: el "
                    "período y la fila identifican cada fila.",
                },
            }
        )
    return head + [dict(f) for f in table.fields]


def series_key(table: Table) -> list[str]:
    return [PERIOD_FIELD, *(table.primary_key or [ROW_FIELD])]


def series_records(table: Table, period: str) -> list[dict[str, Any]]:
    out = []
    for position, record in enumerate(table.records, start=1):
        row = {PERIOD_FIELD: period}
        if not table.primary_key:
            row[ROW_FIELD] = position
        row.update(record)
        out.append(row)
    return out
